"""Tests of chapter 7 (神经网络的优化): helpers.optim, its figures and its exercise checkers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from helpers import optim
from helpers.exercises import optim as ex
from helpers.figures import optim as figs

pytestmark = pytest.mark.usefixtures("book_style")


# -- optimizers from scratch equal torch.optim ----------------------------------------------------------
def _quadratic(seed=0):
    """A small least-squares problem: loss(w) = ‖Aw − c‖²/2, gradient Aᵀ(Aw − c)."""
    gen = np.random.default_rng(seed)
    A, c = gen.normal(size=(8, 3)), gen.normal(size=8)
    return A, c, (lambda w: A.T @ (A @ w - c))


@pytest.mark.parametrize("name, make, kwargs", [
    ("sgd", lambda p: torch.optim.SGD(p, lr=0.05), {}),
    ("momentum", lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9), {}),
    ("rmsprop", lambda p: torch.optim.RMSprop(p, lr=0.01), {}),
    ("adam", lambda p: torch.optim.Adam(p, lr=0.05), {}),
])
def test_steps_from_scratch_equal_torch_optim_for_50_steps(name, make, kwargs):
    A, c, grad = _quadratic()
    w0 = np.array([0.5, -1.0, 2.0])
    param = torch.tensor(w0, requires_grad=True)
    opt = make([param])
    lr = opt.param_groups[0]["lr"]
    w, first, second = w0.copy(), np.zeros(3), np.zeros(3)
    At, ct = torch.tensor(A), torch.tensor(c)
    for t in range(1, 51):
        opt.zero_grad()
        (0.5 * ((At @ param - ct) ** 2).sum()).backward()
        opt.step()
        g = grad(w)
        if name == "sgd":
            w = optim.sgd_step(w, g, lr)
        elif name == "momentum":
            w, first = optim.momentum_step(w, g, first, lr)
        elif name == "rmsprop":
            w, second = optim.rmsprop_step(w, g, second, lr)
        else:
            w, first, second = optim.adam_step(w, g, first, second, t, lr)
    torch.testing.assert_close(torch.tensor(w), param.detach())
    np.testing.assert_allclose(optim.run_optimizer(name, grad, w0, lr, 50)[-1], w, rtol=1e-12)


def test_steps_work_on_tensors_and_leave_their_inputs_alone():
    w, g, v = torch.ones(3), torch.full((3,), 2.0), torch.full((3,), 0.5)
    w_new, v_new = optim.momentum_step(w, g, v, 0.1)
    torch.testing.assert_close(v_new, torch.full((3,), 2.45))
    torch.testing.assert_close(w_new, torch.full((3,), 1 - 0.245))
    assert torch.equal(w, torch.ones(3)) and torch.equal(v, torch.full((3,), 0.5))


def test_run_optimizer_runs_many_starts_at_once():
    surface = optim.SURFACES["rosenbrock"]
    starts = np.array([p for _, p in surface.starts])
    together = optim.run_optimizer("adam", surface.grad, starts, 0.01, 20)
    for i, start in enumerate(starts):
        np.testing.assert_allclose(together[:, i], optim.run_optimizer("adam", surface.grad, start, 0.01, 20))


# -- surfaces and trajectories ------------------------------------------------------------------------
@pytest.mark.parametrize("key", list(optim.SURFACES))
def test_surface_gradients_match_autograd_and_minima_are_minima(key):
    surface = optim.SURFACES[key]
    points = np.random.default_rng(1).uniform(-1.5, 1.5, size=(20, 2))
    t = torch.tensor(points, requires_grad=True)
    surface.f(t).sum().backward()
    np.testing.assert_allclose(surface.grad(points), t.grad.numpy(), rtol=1e-10, atol=1e-12)
    for m in surface.minima:
        assert surface.loss(np.array(m)) == pytest.approx(surface.f_min)
        np.testing.assert_allclose(surface.grad(np.array(m)), 0.0, atol=1e-12)
    for point in surface.saddles:   # a zero gradient that is not a minimum
        np.testing.assert_allclose(surface.grad(np.array(point)), 0.0, atol=1e-12)
        assert surface.loss(np.array(point)) > surface.f_min
    assert np.all(surface.gap(points) >= 0)


def test_valley_sgd_diverges_above_two_over_the_largest_curvature():
    start = optim.SURFACES["valley"].starts[0][1]
    assert optim.trajectory("valley", "sgd", 0.3, start, 100).diverged_at is not None   # 0.3 > 2/20
    calm = optim.trajectory("valley", "sgd", 0.05, start, 200)
    assert calm.diverged_at is None and calm.final_gap < 1e-3
    assert np.isinf(optim.trajectory("valley", "sgd", 1.0, start, 100).final_gap)


def test_trajectory_stops_where_it_diverged_and_keeps_finite_points():
    tr = optim.trajectory("rosenbrock", "sgd", 0.3, (-1.5, 2.5), 100)
    assert tr.diverged_at is not None and len(tr.points) == tr.diverged_at
    assert np.all(np.isfinite(tr.points)) and np.all(np.isfinite(tr.gaps))


def test_adam_and_momentum_beat_sgd_on_the_valley_at_a_small_rate():
    start = optim.SURFACES["valley"].starts[0][1]
    gaps = {name: optim.trajectory("valley", name, 0.01, start, 100).final_gap for name in optim.OPTIMIZERS}
    assert gaps["momentum"] < gaps["sgd"] / 100


@pytest.mark.parametrize("call", [
    lambda: optim.trajectory("valley", "sgd", 0.0, (1, 1), 10),
    lambda: optim.trajectory("valley", "sgd", -0.1, (1, 1), 10),
    lambda: optim.trajectory("valley", "nesterov", 0.1, (1, 1), 10),
    lambda: optim.trajectory("valley", "sgd", 0.1, (np.nan, 1), 10),
    lambda: optim.trajectory("valley", "sgd", 0.1, (np.inf, 1), 10),
    lambda: optim.trajectory("valley", "sgd", 0.1, (1, 2, 3), 10),
    lambda: optim.trajectory("valley", "sgd", 0.1, (1, 1), 0),
    lambda: optim.trajectory("everest", "sgd", 0.1, (1, 1), 10),
    lambda: optim.run_optimizer("adam", np.negative, [1.0], float("nan"), 5),
])
def test_bad_input_is_rejected_in_two_languages(raises_bilingual, call):
    raises_bilingual(call)


# -- backprop on the tiny network ----------------------------------------------------------------------
def test_tiny_backprop_matches_autograd():
    by_hand = optim.tiny_backprop()
    by_torch = optim.tiny_autograd()
    for name in ("W1", "b1", "w2", "b2"):
        np.testing.assert_allclose(by_hand.grads[name], by_torch[name], atol=1e-12)
    steps = {s.node: s for s in by_hand.steps}
    assert list(steps) == ["ŷ", "h₁", "h₂", "z₁", "z₂"]
    for s in by_hand.steps:
        assert s.grad == pytest.approx(s.upstream * s.local)
    assert steps["z₁"].upstream == pytest.approx(steps["h₁"].grad)


def test_tiny_backprop_with_other_numbers_and_bad_numbers(raises_bilingual):
    net = optim.TinyNet(x=(-0.3, 2.0), y=0.0, W1=((1.0, 2.0), (-1.0, 0.5)), b1=(0.0, 0.3), w2=(0.4, 0.9), b2=-1.0)
    for name, grad in optim.tiny_autograd(net).items():
        np.testing.assert_allclose(optim.tiny_backprop(net).grads[name], grad, atol=1e-12)
    raises_bilingual(optim.tiny_backprop, optim.TinyNet(x=(np.nan, 1.0)))


# -- vanishing and exploding gradients ------------------------------------------------------------------
def test_sigmoid_gradients_vanish_and_relu_ones_do_not():
    gen = torch.Generator().manual_seed(0)
    X, y = torch.randn(128, 64, generator=gen), torch.randint(0, 10, (128,), generator=gen)
    sig = optim.layer_gradient_norms(optim.deep_network("sigmoid"), X, y)
    relu = optim.layer_gradient_norms(optim.deep_network("relu"), X, y)
    big = optim.layer_gradient_norms(optim.deep_network("relu", gain=1.5), X, y)
    assert len(sig) == len(relu) == 10
    assert sig[0] < 1e-4 * sig[-1] and sig[0] < 1e-4 * relu[0]
    assert 0.1 < relu[0] / relu[-1] < 10
    assert big.min() > 10 * relu.max()


def test_deep_network_rejects_bad_settings(raises_bilingual):
    raises_bilingual(optim.deep_network, "tanh")
    raises_bilingual(optim.deep_network, "relu", depth=0)
    raises_bilingual(optim.deep_network, "relu", gain=-1.0)


# -- figures -------------------------------------------------------------------------------------------
def test_static_drawings_return_figures():
    assert isinstance(figs.draw_computational_graph(), Figure)
    assert isinstance(figs.draw_lr_schedules({"step": [0.1, 0.1, 0.01]}), Figure)
    assert isinstance(figs.draw_gradient_norms({"a": [1e-6, 1e-3, 1.0]}), Figure)
    history = {"step": [0, 1, 2], "epoch": [0, 0.5, 1], "seconds": [0, 0.1, 0.2], "loss": [3.0, 2.0, 1.5]}
    assert isinstance(figs.draw_gd_variants({"SGD": history}, best=1.0), Figure)
    for draw in (figs.draw_lr_schedules, figs.draw_gradient_norms):
        with pytest.raises(ValueError):
            draw({})


def test_backprop_explorer_walks_through_every_node_and_the_four_steps():
    fig = figs.backprop_explorer()
    words = " ".join(fig.frames_text)
    for node in ("z₁", "z₂", "h₁", "h₂", "ŷ", "L"):
        assert f"{node} =" in words or f"∂L/∂{node}" in words
    for step in ("第 1 步", "第 2 步", "第 3 步", "第 4 步"):
        assert step in words
    control = fig.controls["step"]
    assert len(control.values) == 14
    assert "<svg" in fig.frame(fig.layers[0].overlays[0], step=9)
    record = optim.tiny_backprop()
    assert f"{record.steps[2].grad:.4f}" in fig.frame(fig.layers[1], step=9)


def test_loss_surface_explorer_says_diverged_in_words_and_counts_its_frames():
    fig = figs.loss_surface_explorer([0.01, 0.3], [10, 30])
    overlay = fig.layers[0].overlays[0]
    assert "发散" in fig.frame(overlay, surface="valley", lr=0.3)
    assert "发散" not in fig.frame(overlay, surface="valley", lr=0.01)
    assert fig.frame_count() == 3 * 2 + 3 * 2 * 3 * 2   # backgrounds: surface × steps
    with pytest.raises(ValueError):
        figs.loss_surface_explorer([0.1, 0.01], [10])


# -- exercise checkers ---------------------------------------------------------------------------------
def momentum_right(w, g, v, lr, beta):
    v = beta * v + g
    return w - lr * v, v


def momentum_forgets_velocity(w, g, v, lr, beta):
    return w - lr * g, g


def momentum_dampened(w, g, v, lr, beta):
    v = beta * v + (1 - beta) * g
    return w - lr * v, v


def momentum_steps_with_gradient(w, g, v, lr, beta):
    return w - lr * g, beta * v + g


def momentum_in_place(w, g, v, lr, beta):
    v *= beta
    v += g
    w -= lr * v
    return w, v


def test_momentum_checker(rng):
    assert ex.check_momentum_step(momentum_right)
    assert ex.check_momentum_step(lambda *a: tuple(np.float64(1) * x for x in momentum_right(*a)))
    # a 0-d tensor for the one-number case, a tensor otherwise
    assert ex.check_momentum_step(lambda *a: tuple(torch.as_tensor(x) for x in momentum_right(*a)))
    for wrong in (momentum_forgets_velocity, momentum_dampened, momentum_steps_with_gradient, momentum_in_place):
        assert not ex.check_momentum_step(wrong), wrong.__name__
    assert "改动了传入的参数" in ex.check_momentum_step(momentum_in_place).message
    assert "还没有实现" in ex.check_momentum_step(lambda *a: (_ for _ in ()).throw(NotImplementedError)).message


def adam_right(w, g, m, s, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * g ** 2
    m_hat, s_hat = m / (1 - beta1 ** t), s / (1 - beta2 ** t)
    return w - lr * m_hat / (s_hat ** 0.5 + eps), m, s


def adam_no_bias_correction(w, g, m, s, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * g ** 2
    return w - lr * m / (s ** 0.5 + eps), m, s


def adam_eps_inside(w, g, m, s, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * g ** 2
    m_hat, s_hat = m / (1 - beta1 ** t), s / (1 - beta2 ** t)
    return w - lr * m_hat / (s_hat + eps) ** 0.5, m, s


def adam_fixed_betas(w, g, m, s, t, lr, beta1, beta2, eps):
    return adam_right(w, g, m, s, t, lr, 0.9, 0.999, eps)


def test_adam_checker():
    assert ex.check_adam_step(adam_right)
    assert ex.check_adam_step(lambda *a: tuple(torch.as_tensor(x) for x in adam_right(*a)))
    for wrong in (adam_no_bias_correction, adam_eps_inside, adam_fixed_betas):
        assert not ex.check_adam_step(wrong), wrong.__name__
    assert "偏差修正" in ex.check_adam_step(adam_no_bias_correction).message


def _softmax(O):
    P = np.exp(O - O.max(axis=1, keepdims=True))
    return P / P.sum(axis=1, keepdims=True)


def backward_right(X, W, b, y):
    P = _softmax(X @ W + b)
    P[np.arange(len(y)), y] -= 1
    dO = P / len(y)
    return X.T @ dO, dO.sum(axis=0)


def backward_no_mean(X, W, b, y):
    dW, db = backward_right(X, W, b, y)
    return dW * len(y), db * len(y)


def backward_wrong_transpose(X, W, b, y):
    dW, db = backward_right(X, W, b, y)
    return dW.T, db  # dO.T @ X: the product in the wrong order


def backward_no_max_subtraction(X, W, b, y):
    O = X @ W + b
    P = np.exp(O) / np.exp(O).sum(axis=1, keepdims=True)
    P[np.arange(len(y)), y] -= 1
    dO = P / len(y)
    return X.T @ dO, dO.sum(axis=0)


def backward_forgets_labels(X, W, b, y):
    dO = _softmax(X @ W + b) / len(y)
    return X.T @ dO, dO.sum(axis=0)


def backward_db_mean(X, W, b, y):
    dW, db = backward_right(X, W, b, y)
    return dW, db / W.shape[1]


def test_softmax_linear_backward_checker():
    assert ex.check_softmax_linear_backward(backward_right)
    assert ex.check_softmax_linear_backward(lambda *a: tuple(torch.as_tensor(x) for x in backward_right(*a)))
    for wrong in (backward_no_mean, backward_wrong_transpose, backward_no_max_subtraction,
                  backward_forgets_labels, backward_db_mean):
        assert not ex.check_softmax_linear_backward(wrong), wrong.__name__


@pytest.mark.parametrize("checker", [ex.check_momentum_step, ex.check_adam_step, ex.check_softmax_linear_backward])
def test_checkers_report_a_missing_return_and_strict_raises(checker):
    result = checker(lambda *a: None)
    assert not result and "没有返回值" in result.message
    with pytest.raises(AssertionError):
        checker(lambda *a: None, strict=True)
