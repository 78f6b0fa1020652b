"""Tests of chapter 4 (Softmax 回归): helpers.softmax, its figures and its exercise checkers."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from helpers import softmax as sm
from helpers.exercises import softmax as ex
from helpers.figures import softmax as figs

pytestmark = pytest.mark.usefixtures("book_style")


# -- helpers.softmax: correct results ----------------------------------------------------------------
def test_softmax_matches_torch_with_temperature(rng):
    logits = rng.normal(0, 5, size=(7, 4))
    for t in (0.25, 1.0, 3.0):
        want = torch.softmax(torch.tensor(logits) / t, dim=1).numpy()
        np.testing.assert_allclose(sm.softmax(logits, temperature=t), want, atol=1e-12)


def test_softmax_of_one_vector_and_huge_logits():
    np.testing.assert_allclose(sm.softmax([0.0, 0.0, 0.0]), np.full(3, 1 / 3))
    p = sm.softmax(np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1001.0, -1002.0]]))
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(p[1], sm.softmax([2.0, 1.0, 0.0]))


def test_softmax_accepts_torch_tensor_and_is_shift_invariant():
    o = torch.tensor([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(sm.softmax(o), sm.softmax(o.numpy() + 50.0), atol=1e-12)


def test_log_softmax_is_finite_and_matches_torch(rng):
    o = np.array([[1000.0, 0.0, -1000.0]])
    np.testing.assert_allclose(sm.log_softmax(o), [[0.0, -1000.0, -2000.0]])
    logits = rng.normal(0, 30, size=(5, 6))
    np.testing.assert_allclose(sm.log_softmax(logits), torch.log_softmax(torch.tensor(logits), 1).numpy())


def test_cross_entropy_matches_torch(rng):
    logits = rng.normal(0, 40, size=(9, 5))
    labels = rng.integers(0, 5, size=9)
    want = F.cross_entropy(torch.tensor(logits), torch.tensor(labels)).item()
    assert sm.cross_entropy(logits, labels) == pytest.approx(want, rel=1e-12)
    assert sm.cross_entropy([1000.0, 0.0, -1000.0], 2) == pytest.approx(2000.0)


def test_one_hot():
    np.testing.assert_array_equal(sm.one_hot([0, 2, 1], 3), [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert sm.one_hot(np.array([1]), 4).shape == (1, 4)


@pytest.mark.parametrize("temperature", [1e-300, 1e-320, 5e-324, np.float32(1e-30)])
def test_tiny_temperature_gives_a_one_hot_softmax_never_nan(temperature):
    np.testing.assert_array_equal(sm.softmax([[0.0, 1.0, 0.5], [3.0, -1.0, 2.0]], temperature),
                                  [[0, 1, 0], [1, 0, 0]])
    assert sm.log_softmax([0.0, 1.0], temperature=1e-300)[1] == 0.0


@pytest.mark.parametrize("logits", [
    [1, 2, 3], np.array([1, 2, 3]), np.array([1, 2, 3], dtype=np.float32), np.array([1.0, 2.0, 3.0]),
    torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1, 2, 3]),
])
def test_logits_of_every_usual_type_are_accepted(logits):
    np.testing.assert_allclose(sm.softmax(logits), F.softmax(torch.tensor([1.0, 2.0, 3.0]), 0).numpy())


# -- helpers.softmax: bad input -------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda: sm.softmax([1.0, 2.0], temperature=0),
    lambda: sm.softmax([1.0, 2.0], temperature=-1.0),
    lambda: sm.softmax([1.0, 2.0], temperature=float("nan")),
    lambda: sm.softmax([1.0, 2.0], temperature="hot"),
    lambda: sm.softmax([]),
    lambda: sm.softmax(np.zeros((2, 2, 2))),
    lambda: sm.softmax([1.0, float("nan")]),
    lambda: sm.softmax([1.0, float("inf")]),
    lambda: sm.softmax(np.array(["a", "b"])),
    lambda: sm.log_softmax(np.zeros((0, 3))),
    lambda: sm.cross_entropy([[1.0, 2.0]], [2]),
    lambda: sm.cross_entropy([[1.0, 2.0]], [-1]),
    lambda: sm.cross_entropy([[1.0, 2.0]], [0.5]),
    lambda: sm.cross_entropy([[1.0, 2.0], [0.0, 1.0]], [0]),
    lambda: sm.one_hot([0, 1], 0),
    lambda: sm.one_hot([0, 3], 3),
    lambda: sm.one_hot([[0, 1]], 3),
    lambda: sm.softmax(np.array([1 + 1j, 2])),
    lambda: sm.softmax(np.array([1.0, None], dtype=object)),
    lambda: sm.softmax([1.0, None]),
    lambda: sm.log_softmax([0.0, 1.0], temperature=1e-320),
    lambda: sm.cross_entropy([[1.0, 2.0]], [True]),
    lambda: sm.one_hot([0, 1], 2.0),
])
def test_bad_input_raises_bilingual_value_error(call, raises_bilingual):
    raises_bilingual(call)


# -- figures --------------------------------------------------------------------------------------
def test_static_figures_return_figures(rng):
    X = rng.uniform(0, 1, size=(4, 4))
    assert isinstance(figs.draw_toy_images(X, [0, 1, 2, 1]), Figure)
    assert isinstance(figs.draw_network(), Figure)
    assert isinstance(figs.draw_neg_log_curve(), Figure)
    assert isinstance(figs.draw_weight_templates(rng.normal(size=(64, 10))), Figure)


def test_weight_templates_show_the_columns_of_W():
    # W is d x q (book/conventions.md): column k holds class k's weights, one row per pixel.
    W = np.zeros((64, 10))
    W[:, 3] = np.arange(64)
    fig = figs.draw_weight_templates(W)
    images = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(images) == 10
    np.testing.assert_array_equal(images[3], np.arange(64).reshape(8, 8))
    assert not np.any(images[2])


@pytest.mark.parametrize("call", [
    lambda: figs.draw_toy_images(np.zeros((2, 3)), [0, 1]),
    lambda: figs.draw_toy_images(np.zeros((2, 4)), [0]),
    lambda: figs.draw_weight_templates(np.zeros((63, 10))),
    lambda: figs.draw_weight_templates(np.zeros((10, 64))),   # Wᵀ (nn.Linear's weight), not W
    lambda: figs.softmax_explorer(temperatures=(1.0, 0.0)),
    lambda: figs.softmax_explorer(logit_values=(1,)),
    lambda: figs.softmax_explorer(class_names=("a", "b")),
    lambda: figs.draw_network(0, 3),
    lambda: figs.draw_network(4, 4),                     # three output names only
    lambda: figs.draw_neg_log_curve((0.0,)),             # -log 0 is infinite
    lambda: figs.draw_neg_log_curve((float("nan"),)),
    lambda: figs.draw_neg_log_curve((1.5,)),
    lambda: figs.draw_weight_templates(np.full((64, 10), None)),
])
def test_figure_bad_input_raises_bilingual_value_error(call, raises_bilingual):
    raises_bilingual(call)


def _html_values(widget) -> list[str]:
    """Every HTML string inside a widget tree."""
    out = []
    if isinstance(widget, widgets.HTML):
        out.append(widget.value)
    for child in getattr(widget, "children", ()):
        out.extend(_html_values(child))
    return out


def test_explorer_frames_show_the_right_probabilities_and_stay_small():
    fig = figs.softmax_explorer()
    # 1 base image + 3 x (5 logits x 5 temperatures) + 5^3 x 5 + 3 overlays + 3 panels.
    assert fig.frame_count() == 1 + 3 * 25 + 625 + 3 + 3
    fig.render_all()
    frames = [f for layer in fig.all_layers() if layer.kind != "image" for f in layer.frames.values()]
    p = sm.softmax([1, 0, -1])
    # The default frame (logits 1, 0, -1 at T = 1) writes the probabilities and the losses.
    assert any(f"{p[0]:.3f}" in s and f"{p[2]:.3f}" in s and f"{-np.log(p[0]):.3f}" in s for s in frames)
    uniform = [s for s in frames if s.count(f"{1 / 3:.3f}") == 3]
    assert uniform and all(f"{np.log(3):.3f}" in s for s in uniform)
    assert sum(len(s) for s in frames) < 1_500_000  # the page stays light


def test_explorer_small_version_builds_and_moves():
    fig = figs.softmax_explorer(logit_values=(-1, 0, 1), temperatures=(0.5, 1.0))
    box = fig.widget()
    sliders = [w for w in box.children[1].children if isinstance(w, widgets.SelectionSlider)]
    assert [s.description for s in sliders] == ["猫 的 logit", "鸡 的 logit", "狗 的 logit", "温度 T"]
    assert len(fig.layers[0].overlays) == 5  # three o/T overlays, probabilities, true class
    probabilities = fig.layers[0].overlays[3]
    before = fig.frame(probabilities)
    sliders[0].index = 0  # the cat's logit to -1: the live widget redraws the probabilities
    overlay_views = [w for w in _html_values(box) if "<svg" in w]
    assert before not in overlay_views and fig.frame(probabilities, o_cat=-1) in overlay_views


# -- exercise checkers ----------------------------------------------------------------------------
def softmax_right(o):
    e = np.exp(o - o.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_naive(o):
    e = np.exp(o)
    return e / e.sum(axis=1, keepdims=True)


def softmax_whole_matrix(o):
    e = np.exp(o - o.max())
    return e / e.sum()


def softmax_wrong_axis(o):
    e = np.exp(o - o.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def test_check_softmax():
    assert ex.check_softmax(softmax_right, strict=True)
    for wrong in (softmax_naive, softmax_whole_matrix, softmax_wrong_axis):
        result = ex.check_softmax(wrong)
        assert not result, wrong.__name__
    assert "上溢" in ex.check_softmax(softmax_naive).message  # the hint names the problem


def ce_right(o, y):
    s = o - o.max(axis=1, keepdims=True)
    return -(s - np.log(np.exp(s).sum(axis=1, keepdims=True)))[np.arange(len(y)), y].mean()


def ce_naive(o, y):
    return -np.log(softmax_naive(o)[np.arange(len(y)), y]).mean()


def ce_log_of_stable_softmax(o, y):
    return -np.log(softmax_right(o)[np.arange(len(y)), y]).mean()


def ce_sum(o, y):
    s = o - o.max(axis=1, keepdims=True)
    return -(s - np.log(np.exp(s).sum(axis=1, keepdims=True)))[np.arange(len(y)), y].sum()


def ce_no_log(o, y):
    return -softmax_right(o)[np.arange(len(y)), y].mean()


def ce_no_minus(o, y):
    return -ce_right(o, y)


def ce_per_sample(o, y):
    s = o - o.max(axis=1, keepdims=True)
    return -(s - np.log(np.exp(s).sum(axis=1, keepdims=True)))[np.arange(len(y)), y]


def ce_first_column(o, y):
    s = o - o.max(axis=1, keepdims=True)
    return -(s - np.log(np.exp(s).sum(axis=1, keepdims=True)))[:, 0].mean()


def test_check_cross_entropy_accepts_right_and_torch():
    assert ex.check_cross_entropy(ce_right, strict=True)
    assert ex.check_cross_entropy(lambda o, y: F.cross_entropy(torch.tensor(o), torch.tensor(y)), strict=True)


@pytest.mark.parametrize("wrong", [ce_naive, ce_log_of_stable_softmax, ce_sum, ce_no_log, ce_no_minus,
                                   ce_per_sample, ce_first_column])
def test_check_cross_entropy_rejects(wrong):
    result = ex.check_cross_entropy(wrong)
    assert not result
    with pytest.raises(AssertionError):
        ex.check_cross_entropy(wrong, strict=True)


def test_check_cross_entropy_messages():
    assert "FloatingPointError" in ex.check_cross_entropy(ce_naive).message
    assert "形状" in ex.check_cross_entropy(ce_per_sample).message


def test_check_one_hot():
    assert ex.check_one_hot(lambda y, k: np.eye(k)[y], strict=True)
    assert ex.check_one_hot(lambda y, k: np.eye(k, dtype=int)[y], strict=True)
    assert not ex.check_one_hot(lambda y, k: np.eye(y.max() + 1)[y])       # class count from the data
    assert not ex.check_one_hot(lambda y, k: np.eye(k)[y].T)                # transposed
    assert not ex.check_one_hot(lambda y, k: y)                             # no encoding at all


def grad_right(o, y):
    return (softmax_right(o) - np.eye(o.shape[1])[y]) / len(y)


def test_check_cross_entropy_grad():
    assert ex.check_cross_entropy_grad(grad_right, strict=True)
    assert not ex.check_cross_entropy_grad(lambda o, y: softmax_right(o) - np.eye(o.shape[1])[y])  # no / n
    assert not ex.check_cross_entropy_grad(lambda o, y: softmax_right(o) / len(y))               # no - y
    assert not ex.check_cross_entropy_grad(lambda o, y: (np.eye(o.shape[1])[y] - softmax_right(o)) / len(y))
    assert not ex.check_cross_entropy_grad(lambda o, y: (softmax_naive(o) - np.eye(o.shape[1])[y]) / len(y))


# -- near-misses that agree with the right answer on easy cases (issue 7, item 8) -----------------
def softmax_batch_max(o):
    e = np.exp(o - o.max())  # the maximum of the whole batch, not of each row
    return e / e.sum(axis=1, keepdims=True)


def softmax_no_keepdims(o):
    e = np.exp(o - o.max(axis=1))  # (n,) broadcasts along the wrong axis on a square batch
    return e / e.sum(axis=1, keepdims=True)


def softmax_in_place(o):
    o -= o.max(axis=1, keepdims=True)  # changes the reader's logits
    e = np.exp(o)
    return e / e.sum(axis=1, keepdims=True)


def softmax_extra_row(o):
    return np.vstack([softmax_right(o), np.zeros((1, o.shape[1]))])


@pytest.mark.parametrize("wrong", [softmax_naive, softmax_whole_matrix, softmax_wrong_axis, softmax_batch_max,
                                   softmax_in_place, softmax_extra_row])
def test_check_softmax_rejects_near_misses(wrong):
    assert not ex.check_softmax(wrong)


def test_check_softmax_batch_max_is_told_to_use_each_rows_maximum():
    assert "每一行" in ex.check_softmax(softmax_batch_max).message


@pytest.mark.parametrize("right", [
    softmax_right,
    lambda o: torch.softmax(torch.tensor(o), dim=1),
    lambda o: torch.softmax(torch.tensor(o, requires_grad=True), dim=1),
    lambda o: np.exp(o - np.logaddexp.reduce(o, axis=1, keepdims=True)),
    lambda o: softmax_in_place(o.copy()),
    lambda o: torch.softmax(torch.Tensor(o), dim=1),  # float32
    lambda o: softmax_right(o.astype(np.float32)),
])
def test_check_softmax_accepts_right_answers_of_every_style(right):
    assert ex.check_softmax(right, strict=True)


def ce_batch_max(o, y):
    s = o - o.max()  # the maximum of the whole batch
    return -(s - np.log(np.exp(s).sum(axis=1, keepdims=True)))[np.arange(len(y)), y].mean()


def ce_no_keepdims(o, y):
    s = o - o.max(axis=1)
    return -(s - np.log(np.exp(s).sum(axis=1, keepdims=True)))[np.arange(len(y)), y].mean()


def ce_in_place(o, y):
    o -= o.max(axis=1, keepdims=True)
    return -(o - np.log(np.exp(o).sum(axis=1, keepdims=True)))[np.arange(len(y)), y].mean()


def ce_numeric_string(o, y):
    return str(float(ce_right(o, y)))


def ce_one_element_list(o, y):
    return [ce_right(o, y), 0.0]


@pytest.mark.parametrize("wrong", [ce_batch_max, ce_no_keepdims, ce_in_place, ce_numeric_string,
                                   ce_one_element_list])
def test_check_cross_entropy_rejects_near_misses(wrong):
    assert not ex.check_cross_entropy(wrong)


@pytest.mark.parametrize("right", [
    ce_right,
    lambda o, y: float(ce_right(o, y)),
    lambda o, y: np.array(ce_right(o, y)),
    lambda o, y: F.cross_entropy(torch.tensor(o, requires_grad=True), torch.tensor(y)),
    lambda o, y: F.cross_entropy(torch.Tensor(o), torch.tensor(y)),  # float32
    lambda o, y: -(o - np.logaddexp.reduce(o, axis=1, keepdims=True))[np.arange(len(y)), y].mean(),
])
def test_check_cross_entropy_accepts_right_answers_of_every_style(right):
    assert ex.check_cross_entropy(right, strict=True)


@pytest.mark.parametrize("wrong", [
    lambda o, y: (softmax_batch_max(o) - np.eye(o.shape[1])[y]) / len(y),
    lambda o, y: (softmax_no_keepdims(o) - np.eye(o.shape[1])[y]) / len(y),
    lambda o, y: (softmax_in_place(o) - np.eye(o.shape[1])[y]) / len(y),
])
def test_check_cross_entropy_grad_rejects_near_misses(wrong):
    assert not ex.check_cross_entropy_grad(wrong)


def _grad_autograd(o, y):
    t = torch.tensor(o, requires_grad=True)
    F.cross_entropy(t, torch.tensor(y)).backward()
    return t.grad


@pytest.mark.parametrize("right", [grad_right, _grad_autograd])
def test_check_cross_entropy_grad_accepts_right_answers(right):
    assert ex.check_cross_entropy_grad(right, strict=True)


def _one_hot_loop(labels, k):
    out = np.zeros((len(labels), k))
    for i, label in enumerate(labels):
        out[i, label] = 1.0
    return out


@pytest.mark.parametrize("right", [
    lambda y, k: np.eye(k)[y], lambda y, k: np.eye(k, dtype=int)[y], _one_hot_loop,
    lambda y, k: F.one_hot(torch.as_tensor(y), k), lambda y, k: (y[:, None] == np.arange(k)).astype(float),
    lambda y, k: [[1.0 if j == label else 0.0 for j in range(k)] for label in y],  # a list of lists
])
def test_check_one_hot_accepts_right_answers(right):
    assert ex.check_one_hot(right, strict=True)


@pytest.mark.parametrize("wrong", [
    lambda y, k: np.eye(y.max() + 1)[y],               # class count from the data
    lambda y, k: np.eye(k)[y].T,                       # transposed
    lambda y, k: np.eye(k)[y][:, None, :],             # an extra axis
    lambda y, k: np.eye(k + 1)[y],                     # an extra column
    lambda y, k: y[:, None] == np.arange(k),           # True/False, not 1.0/0.0
    lambda y, k: np.eye(k)[np.sort(y)],                # rows out of order
])
def test_check_one_hot_rejects_near_misses(wrong):
    assert not ex.check_one_hot(wrong)
