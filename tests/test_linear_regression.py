"""Chapter 3: helpers.linear_regression, its figures and its exercise checkers."""

import re

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from sklearn.linear_model import LinearRegression

from helpers.exercises.linear_regression import (check_least_squares, check_sgd,
                                                 check_squared_loss)
from helpers.figures.linear_regression import (draw_single_neuron,
                                               learning_rate_explorer, manual_fit_explorer)
from helpers.linear_regression import (AREA_PRICE_RULE, HOUSE_PRICE_RULE, add_bias_column,
                                       curvature_eigenvalues, half_mse, least_squares,
                                       loss_grid, make_house_areas, make_house_prices,
                                       max_stable_lr, sgd_training_runs)

pytestmark = pytest.mark.usefixtures("book_style")


# -- data -------------------------------------------------------------------------------------
def test_generated_data_is_deterministic_and_follows_its_rule():
    area, price = make_house_areas(200, seed=3)
    again, _ = make_house_areas(200, seed=3)
    np.testing.assert_array_equal(area, again)
    (w,), b = least_squares(area, price)
    assert abs(w - AREA_PRICE_RULE["weight"]) < 0.15 and abs(b - AREA_PRICE_RULE["bias"]) < 0.2
    X, y = make_house_prices(2000, seed=1)
    assert X.shape == (2000, 3) and y.shape == (2000,)
    assert set(np.unique(X[:, 1])) <= {1.0, 2.0, 3.0, 4.0, 5.0, 6.0}
    w, b = least_squares(X, y)
    np.testing.assert_allclose(w, HOUSE_PRICE_RULE["weights"], rtol=0.15)


@pytest.mark.parametrize("call, fragment", [
    (lambda: make_house_areas(0), "n 必须是正整数"),
    (lambda: make_house_prices(-5), "n 必须是正整数"),
    (lambda: make_house_areas(10, seed=-1), "seed 必须是非负整数"),
    (lambda: make_house_prices(10, seed=1.5), "seed 必须是非负整数"),
])
def test_generators_reject_bad_arguments(call, fragment):
    with pytest.raises(ValueError, match=fragment) as info:
        call()
    assert "(" in str(info.value)  # the English half follows in parentheses


# -- model, loss and analytic solution ------------------------------------------------------------
def test_least_squares_matches_scikit_learn_and_polyfit(rng):
    X = rng.normal(size=(80, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + 1.5 + rng.normal(0, 0.1, 80)
    w, b = least_squares(X, y)
    reference = LinearRegression().fit(X, y)
    np.testing.assert_allclose(w, reference.coef_, atol=1e-10)
    assert abs(b - reference.intercept_) < 1e-10
    x, t = make_house_areas()
    (w1,), b1 = least_squares(x, t)
    np.testing.assert_allclose([w1, b1], np.polyfit(x, t, 1), rtol=1e-10)
    # torch tensors and a column-vector y, as in the chapter, give the same answer
    (w2,), b2 = least_squares(torch.as_tensor(x).reshape(-1, 1), torch.as_tensor(t).reshape(-1, 1))
    np.testing.assert_allclose([w2, b2], [w1, b1])


def test_add_bias_column_and_half_mse():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(add_bias_column(X), [[1, 2, 1], [3, 4, 1]])
    y = np.array([1.0, 0.0])
    # residuals: 1·1 + 1·2 + 0 − 1 = 2 and 1·3 + 1·4 + 0 − 0 = 7 -> (4 + 49) / 2 / 2
    assert half_mse(X, y, [1.0, 1.0], 0.0) == pytest.approx(53 / 4)


def test_the_analytic_solution_is_the_minimum_of_the_loss_grid():
    x, y = make_house_areas()
    (w, ), b = least_squares(x, y)
    ws, bs = np.linspace(w - 0.5, w + 0.5, 41), np.linspace(b - 0.5, b + 0.5, 41)
    grid = loss_grid(x, y, ws, bs)
    assert grid.shape == (41, 41)
    assert grid[20, 20] == pytest.approx(half_mse(x, y, [w], b))
    assert grid.min() == pytest.approx(grid[20, 20])
    assert grid[3, 7] == pytest.approx(half_mse(x, y, [ws[7]], bs[3]))


@pytest.mark.parametrize("call, fragment", [
    (lambda: least_squares(np.ones((3, 2)), np.ones(4)), "长度 4 与样本数 3 不一致"),
    (lambda: least_squares(np.array([[1.0, np.nan]]), np.ones(1)), "NaN 或无穷大"),
    (lambda: least_squares(np.ones((0, 2)), np.ones(0)), "不能为空"),
    (lambda: least_squares(np.ones((2, 2, 2)), np.ones(2)), "二维数组"),
    (lambda: half_mse(np.ones((3, 2)), np.ones(3), [1.0], 0.0), "w 的长度 1 与样本数 2 不一致"),
    (lambda: loss_grid(np.ones((3, 2)), np.ones(3), [0.0], [0.0]), "x 必须只有一个特征"),
    (lambda: loss_grid(np.ones(3), np.array([1.0, np.inf, 0.0]), [0.0], [0.0]), "NaN 或无穷大"),
    (lambda: half_mse(np.ones(3), np.ones(3), [1.0], float("nan")), r"b 必须是有限实数 \(b must be a finite"),
    (lambda: half_mse(np.ones(3), np.ones(3), [1.0], np.inf), "b 必须是有限实数"),
    (lambda: half_mse(np.ones(3), np.ones(3), [1.0], None), "b 必须是有限实数"),
    (lambda: half_mse(np.ones(3), np.ones(3), [1.0], "0.5"), "b 必须是有限实数"),
    (lambda: half_mse(np.ones(3), np.ones(3), [np.nan], 0.0), "w 含有 NaN"),
    (lambda: half_mse(np.ones(3), np.ones(3), [np.inf], 0.0), "w 含有 NaN"),
    (lambda: half_mse(np.ones(3), np.ones(3), [1 + 1j], 0.0), "w 必须是数值数组"),
    (lambda: half_mse(np.ones(3), np.ones(3), [None], 0.0), "w 必须是数值数组"),
    (lambda: least_squares(np.array([1.0, None, 2.0]), np.ones(3)), "X 必须是数值数组"),
    (lambda: least_squares(np.ones(3), np.array([1.0, None, 2.0])), "y 必须是数值数组"),
    (lambda: least_squares(np.ones(3), np.array(["1", "2", "3"])), "y 必须是数值数组"),
    (lambda: least_squares(np.ones(3), np.array([1j, 2, 3])), "y 必须是数值数组"),
    (lambda: loss_grid(np.ones(3), np.ones(3), ["0"], [0.0]), "ws 必须是数值数组"),
    (lambda: sgd_training_runs(np.ones(3), np.ones(3), [0.1j], 1, 1), "learning_rates 必须是数值数组"),
])
def test_model_helpers_reject_bad_input(call, fragment, raises_bilingual):
    assert re.search(fragment, raises_bilingual(call))


@pytest.mark.parametrize("w, b", [
    ([2.0], 0.6), (np.array([2.0]), np.float32(0.6)), (np.array([2], dtype=np.int64), 0.6), (2.0, 0.6),
    (torch.tensor([2.0]), torch.tensor([0.6], dtype=torch.float64)), (np.array([2.0], dtype=np.float32), 0.6),
])
def test_half_mse_accepts_every_usual_type(w, b):
    x, y = make_house_areas()
    assert half_mse(x, y, w, b) == pytest.approx(half_mse(x, y, [2.0], 0.6), rel=1e-6)


# -- gradient descent ----------------------------------------------------------------------------
def test_curvature_eigenvalues_are_those_of_the_second_moment_matrix(rng):
    X = rng.normal(size=(50, 2)) * [3.0, 0.5] + [10.0, -2.0]
    Xb = np.column_stack([X, np.ones(50)])
    expected = np.linalg.eigvalsh(Xb.T @ Xb / 50)
    np.testing.assert_allclose(curvature_eigenvalues(X), expected)
    assert max_stable_lr(X) == pytest.approx(2 / expected[-1])
    # the trace is Σ (μ_j² + σ_j²) + 1: a feature's mean counts, not only its spread
    trace = np.sum(X.mean(axis=0) ** 2 + X.var(axis=0)) + 1
    assert curvature_eigenvalues(X).sum() == pytest.approx(trace)
    # standardised, uncorrelated features: every eigenvalue is 1
    Z = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    np.testing.assert_allclose(curvature_eigenvalues(Z), [1, 1, 1])
    # a constant shift of a centred feature raises λ_max and lowers λ_min
    x = rng.normal(size=200)
    x = (x - x.mean()) / x.std()
    centred, shifted = curvature_eigenvalues(x), curvature_eigenvalues(x + 10)
    assert shifted[-1] > 100 > centred[-1] and shifted[0] < 0.01 < centred[0]


@pytest.mark.parametrize("X, fragment", [
    (np.ones((0, 2)), "不能为空"), (np.array([[1.0, np.nan]]), "NaN 或无穷大"),
    (np.ones((2, 2, 2)), "二维数组"), (np.array(["a", "b"]), "X 必须是数值数组"),
])
def test_curvature_helpers_reject_bad_input(X, fragment, raises_bilingual):
    assert re.search(fragment, raises_bilingual(lambda: curvature_eigenvalues(X)))
    assert re.search(fragment, raises_bilingual(lambda: max_stable_lr(X)))


def test_full_batch_gd_converges_just_below_the_limit_and_diverges_just_above():
    x, y = make_house_areas()
    limit = max_stable_lr(x)
    runs = sgd_training_runs(x, y, [0.95 * limit, 1.05 * limit], batch_size=len(x), epochs=3000)
    assert list(runs.diverged) == [False, True]
    best = half_mse(x, y, *least_squares(x, y))
    assert runs.losses[0, -1] == pytest.approx(best, rel=1e-6)


def test_sgd_runs_reach_the_analytic_solution_and_freeze_when_diverging(rng):
    X = rng.normal(size=(60, 2))
    y = X @ np.array([2.0, -3.4]) + 4.2 + rng.normal(0, 0.01, 60)
    runs = sgd_training_runs(X, y, [0.1, 50.0], batch_size=6, epochs=60, seed=0)
    w, b = least_squares(X, y)
    np.testing.assert_allclose(runs.weights[0, -1], w, atol=2e-3)
    assert abs(runs.biases[0, -1] - b) < 2e-3
    assert runs.losses.shape == (2, 60 * 10 + 1) and runs.steps_per_epoch == 10
    assert not runs.diverged[0] and runs.diverged[1]
    step = runs.diverged_at[1]
    assert np.all(np.isinf(runs.losses[1, step:])) and np.all(np.isfinite(runs.losses[1, :step]))
    assert np.isnan(runs.weights[1, -1]).all()


def test_sgd_runs_are_deterministic_and_uneven_batches_work():
    x, y = make_house_areas()
    a = sgd_training_runs(x, y, [0.1], batch_size=5, epochs=4, seed=7)
    b = sgd_training_runs(x, y, [0.1], batch_size=5, epochs=4, seed=7)
    c = sgd_training_runs(x, y, [0.1], batch_size=5, epochs=4, seed=8)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert not np.array_equal(a.losses, c.losses)
    assert a.steps_per_epoch == 5  # 24 samples in batches of 5: the last batch holds 4


def test_sgd_runs_equal_a_plain_loop_with_the_mean_gradient_of_each_batch():
    x, y = make_house_areas()
    runs = sgd_training_runs(x, y, [0.2], batch_size=5, epochs=2, seed=4)
    rng = np.random.default_rng(4)
    w = b = 0.0
    for _ in range(2):
        order = rng.permutation(len(x))
        for begin in range(0, len(x), 5):
            idx = order[begin:begin + 5]  # the last batch has 4 samples: divide by 4, not 5
            error = w * x[idx] + b - y[idx]
            w, b = w - 0.2 * np.mean(error * x[idx]), b - 0.2 * np.mean(error)
    assert runs.weights[0, -1, 0] == pytest.approx(w, rel=1e-12)
    assert runs.biases[0, -1] == pytest.approx(b, rel=1e-12)
    assert runs.losses[0, -1] == pytest.approx(half_mse(x, y, [w], b), rel=1e-12)


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(learning_rates=[0.0]), "学习率 lr \\(learning rate\\) 必须是正数"),
    (dict(learning_rates=[np.nan]), "必须是正数"),
    (dict(learning_rates=[]), "learning_rates 必须是非空的一维数组"),
    (dict(batch_size=0), "batch_size 必须是正整数"),
    (dict(batch_size=25), "batch_size 不能大于样本数 24"),
    (dict(epochs=0), "epochs 必须是正整数"),
    (dict(epochs=2.5), "epochs 必须是正整数"),
    (dict(seed=-3), "seed 必须是非负整数"),
])
def test_sgd_runs_reject_bad_hyperparameters(kwargs, fragment):
    x, y = make_house_areas()
    args = dict(learning_rates=[0.1], batch_size=4, epochs=2, seed=0) | kwargs
    with pytest.raises(ValueError, match=fragment):
        sgd_training_runs(x, y, **args)


# -- figures -------------------------------------------------------------------------------------
def test_single_neuron_drawing():
    fig = draw_single_neuron(4)
    assert isinstance(fig, Figure)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "$x_{d}$" in texts and "$w_{3}$" in texts and "输入层（d 个输入）" in texts
    for bad in (0, 7, 2.0):
        with pytest.raises(ValueError, match="num_inputs_shown"):
            draw_single_neuron(bad)


def test_manual_fit_explorer_frames_and_verdicts():
    x, y = make_house_areas()
    fig = manual_fit_explorer(x, y, ws=[1.0, 2.0, 2.25], bs=[0.0, 0.5, 0.75], default=(1.0, 0.0))
    assert fig.frame_count() == 1 + 9
    overlay = fig.layers[0].overlays[0]
    # L / L* on this grid: (2, 0.75) -> 1.08, the grid's lowest point; (2, 0.5) -> 1.45; (1, 0) -> 55
    assert "滑块能到的最低点" in fig.frame(overlay, w=2.0, b=0.75)
    assert "很接近了" in fig.frame(overlay, w=2.0, b=0.5)
    assert "还差得远" in fig.frame(overlay, w=1.0, b=0.0)
    with pytest.raises(ValueError, match="ws 必须严格递增"):
        manual_fit_explorer(x, y, ws=[2.0, 1.0], bs=[0.0, 1.0])
    with pytest.raises(ValueError, match="x 必须只有一个特征"):
        manual_fit_explorer(np.ones((24, 2)), y, ws=[1.0, 2.0], bs=[0.0, 1.0])


def test_learning_rate_explorer_reports_divergence_in_words():
    x, y = make_house_areas()
    fig = learning_rate_explorer(x, y, learning_rates=[0.001, 0.3, 3.0], batch_sizes=[6, 24],
                                 epoch_options=[1, 30], default_lr=0.3)
    overlay = fig.layers[0].overlays[0]
    panel = fig.layers[1]
    assert "学习率过大：损失发散" in fig.frame(overlay, lr=3.0, batch_size=6, epochs=30)
    assert "画不出直线" in fig.frame(overlay, lr=3.0, batch_size=6, epochs=30)
    assert "已接近最优" in fig.frame(panel, lr=0.3, batch_size=6, epochs=30)
    assert "还没到最优" in fig.frame(panel, lr=0.001, batch_size=24, epochs=30)
    assert "<polyline" in fig.frame(overlay, lr=0.3, batch_size=6, epochs=30)  # a loss curve and a line
    with pytest.raises(ValueError, match="batch_size 必须是正整数"):
        learning_rate_explorer(x, y, [0.1, 0.3], [0, 6], [1, 2])
    with pytest.raises(ValueError, match="learning_rates 必须严格递增"):
        learning_rate_explorer(x, y, [0.3, 0.1], [6, 24], [1, 2])


# -- exercise checkers ---------------------------------------------------------------------------
def _fails(result, fragment):
    assert not result.passed, result.message
    assert fragment in result.message, result.message


def test_squared_loss_checker():
    assert check_squared_loss(lambda y_hat, y: (y_hat - y.reshape(y_hat.shape)) ** 2 / 2)
    _fails(check_squared_loss(lambda y_hat, y: (y_hat - y.reshape(y_hat.shape)) ** 2), "½")
    _fails(check_squared_loss(lambda y_hat, y: (y_hat - y) ** 2 / 2), "广播")
    _fails(check_squared_loss(lambda y_hat, y: ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).mean()),
           "每个样本各自的损失")
    _fails(check_squared_loss(lambda y_hat, y: abs(y_hat - y.reshape(y_hat.shape))), "不对")


def _sgd_right(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad / batch_size
            p.grad.zero_()


def _sgd_no_division(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()


def _sgd_outside_no_grad(params, lr, batch_size):
    for p in params:
        p -= lr * p.grad / batch_size
        p.grad.zero_()


def _sgd_rebinding(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p = p - lr * p.grad / batch_size  # noqa: PLW2901 - the mistake under test
            p.grad = None


def _sgd_no_zeroing(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad / batch_size


def _sgd_wrong_sign(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p += lr * p.grad / batch_size
            p.grad.zero_()


def _sgd_grad_none(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad / batch_size
            p.grad = None


def _sgd_optimizer(params, lr, batch_size):
    optimizer = torch.optim.SGD(params, lr=lr / batch_size)
    optimizer.step()
    optimizer.zero_grad()  # sets the gradients to None since PyTorch 2.0


def _sgd_sub_(params, lr, batch_size):
    for p in params:
        p.data.sub_(lr / batch_size * p.grad)
        p.grad.data.zero_()


def _sgd_zero_first(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p.grad.zero_()
            p -= lr * p.grad / batch_size


def _sgd_first_param_only(params, lr, batch_size):
    with torch.no_grad():
        params[0] -= lr * params[0].grad / batch_size
        for p in params:
            p.grad.zero_()


@pytest.mark.parametrize("right", [_sgd_right, _sgd_grad_none, _sgd_optimizer, _sgd_sub_])
def test_sgd_checker_accepts_every_right_update(right):
    assert check_sgd(right, strict=True)


@pytest.mark.parametrize("wrong", [_sgd_no_division, _sgd_outside_no_grad, _sgd_rebinding, _sgd_no_zeroing,
                                   _sgd_wrong_sign, _sgd_zero_first, _sgd_first_param_only])
def test_sgd_checker_rejects_near_misses(wrong):
    assert not check_sgd(wrong)


def test_sgd_checker():
    assert check_sgd(_sgd_right)
    _fails(check_sgd(_sgd_no_division), "除以 batch_size")
    _fails(check_sgd(_sgd_outside_no_grad), "torch.no_grad()")
    _fails(check_sgd(_sgd_rebinding), "没有变")
    _fails(check_sgd(_sgd_no_zeroing), "清零")
    _fails(check_sgd(_sgd_wrong_sign), "方向反了")
    with pytest.raises(AssertionError):
        check_sgd(_sgd_no_division, strict=True)


def _lstsq_right(X, y):
    solution = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), y, rcond=None)[0]
    return solution[:-1], solution[-1]


def _lstsq_no_bias(X, y):
    return np.linalg.lstsq(X, y, rcond=None)[0], 0.0


def _normal_equations_with_inverse(X, y):
    X_tilde = np.column_stack([X, np.ones(len(X))])
    solution = np.linalg.inv(X_tilde.T @ X_tilde) @ X_tilde.T @ y
    return solution[:-1], solution[-1]


def _returns_w_tilde(X, y):
    X_tilde = np.column_stack([X, np.ones(len(X))])
    return np.linalg.lstsq(X_tilde, y, rcond=None)[0], 0.0


def test_least_squares_checker():
    assert check_least_squares(_lstsq_right)
    _fails(check_least_squares(_lstsq_no_bias), "全 1 列")
    _fails(check_least_squares(_returns_w_tilde), "多了一个元素")
    result = check_least_squares(_normal_equations_with_inverse)
    _fails(result, "两列特征完全相同")  # fine on the first three cases, wrong on the singular one
    assert result.cases_run == 4


# -- near-misses that agree with the right answer on easy cases (issue 7, item 8) -----------------

@pytest.mark.parametrize("wrong", [
    lambda y_hat, y: (y_hat - y.reshape(-1, 1)) ** 2 / 2,                     # assumes y_hat is (n, 1)
    lambda y_hat, y: ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).reshape(-1),  # loses y_hat's shape
    lambda y_hat, y: None,
    lambda y_hat, y: [str(float(v)) for v in ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).reshape(-1)],
])
def test_squared_loss_checker_rejects_near_misses(wrong):
    assert not check_squared_loss(wrong)


def test_squared_loss_checker_says_none_is_a_missing_return():
    result = check_squared_loss(lambda y_hat, y: None)
    assert "没有返回值" in result.message and "只返回了一个数" not in result.message


@pytest.mark.parametrize("right", [
    lambda y_hat, y: (y_hat - y.reshape(y_hat.shape)) ** 2 / 2,
    lambda y_hat, y: 0.5 * (y_hat - y.reshape(y_hat.shape)) ** 2,
    lambda y_hat, y: torch.square(torch.as_tensor(y_hat) - torch.as_tensor(y).reshape(y_hat.shape)) / 2,
])
def test_squared_loss_checker_accepts_right_answers(right):
    assert check_squared_loss(right, strict=True)


def _solve_normal_equations(X, y):
    X_tilde = np.column_stack([X, np.ones(len(X))])
    solution = np.linalg.solve(X_tilde.T @ X_tilde + 1e-12 * np.eye(X_tilde.shape[1]), X_tilde.T @ y)
    return solution[:-1], solution[-1]


def _lstsq_b_with_extras(X, y):
    w, b = _lstsq_right(X, y)
    return w, np.array([b, 0.0])


def _lstsq_centred_no_intercept_fix(X, y):
    w = np.linalg.lstsq(X - X.mean(axis=0), y, rcond=None)[0]
    return w, float(y.mean())  # forgets - X.mean(0) @ w


@pytest.mark.parametrize("wrong", [_lstsq_no_bias, _returns_w_tilde, _normal_equations_with_inverse,
                                   _solve_normal_equations, _lstsq_b_with_extras, _lstsq_centred_no_intercept_fix,
                                   lambda X, y: (_lstsq_right(X, y)[0], str(_lstsq_right(X, y)[1]))])
def test_least_squares_checker_rejects_near_misses(wrong):
    assert not check_least_squares(wrong)


def _lstsq_centred(X, y):
    mean = X.mean(axis=0)
    w = np.linalg.lstsq(X - mean, y - y.mean(), rcond=None)[0]
    return w, y.mean() - mean @ w


def _lstsq_torch(X, y):
    X_tilde = torch.from_numpy(np.column_stack([X, np.ones(len(X))]))
    solution = torch.linalg.lstsq(X_tilde, torch.from_numpy(y)[:, None], driver="gelsd").solution[:, 0]
    return solution[:-1], solution[-1]


def _lstsq_pinv(X, y):
    solution = np.linalg.pinv(np.column_stack([X, np.ones(len(X))])) @ y
    return solution[:-1], float(solution[-1])


@pytest.mark.parametrize("right", [_lstsq_right, _lstsq_torch, _lstsq_pinv, _lstsq_centred,
                                   lambda X, y: tuple(_lstsq_right(X, y)),
                                   lambda X, y: [_lstsq_right(X, y)[0][:, None], np.array(_lstsq_right(X, y)[1])]])
def test_least_squares_checker_accepts_right_answers(right):
    assert check_least_squares(right, strict=True)
