"""Tests of chapter 8 (PyTorch 基础): helpers.pytorch_basics, its figures and its exercise checkers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch import nn

from helpers.comparison import count_parameters, linear_numbers
from helpers import pytorch_basics as pb
from helpers.exercises import pytorch_basics as ex
from helpers.interactive import estimate_static_bytes

pytestmark = pytest.mark.usefixtures("book_style")
torch.set_num_threads(1)

SHAPES = [(), (1,), (3,), (4,), (3, 1), (1, 4), (3, 4), (2, 3), (5, 1, 4), (4, 3, 2), (0,), (2, 1), (1, 0)]


# -- helpers.pytorch_basics -------------------------------------------------------------------------------
@pytest.mark.parametrize("a, b", list(itertools.product(SHAPES, repeat=2)))
def test_broadcast_shape_agrees_with_torch(a, b):
    try:
        want = tuple(torch.broadcast_shapes(a, b))
    except RuntimeError:
        with pytest.raises(ValueError, match="不能广播"):
            pb.broadcast_shape(a, b)
        assert "✗" in [row[3] for row in pb.broadcast_rule_rows(a, b)]
    else:
        assert pb.broadcast_shape(a, b) == want
        assert pb.broadcast_shape(torch.Size(a), list(b)) == want


def test_broadcast_rule_rows_align_on_the_right():
    assert pb.broadcast_rule_rows((2, 3), (3,)) == [(2, "2", "—", "2"), (1, "3", "3", "3")]
    assert pb.broadcast_rule_rows((2, 3), (2,))[-1] == (1, "3", "2", "✗")


@pytest.mark.parametrize("bad", ["34", 3, (3, -1), (2.5,), (True, 2), None])
def test_broadcast_shape_rejects_what_is_not_a_shape(bad, raises_bilingual):
    raises_bilingual(pb.broadcast_shape, bad, (3,))


def test_incompatible_shapes_get_a_bilingual_error(raises_bilingual):
    message = raises_bilingual(pb.broadcast_shape, (2, 3), (2,))
    assert "从右数第 1 维" in message and "3" in message


def test_parameter_counts():
    net = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
    assert count_parameters(net) == 61 == linear_numbers(10, 5) + linear_numbers(5, 1)
    assert [row[2] for row in pb.parameters_by_layer(net)] == [50, 5, 5, 1]
    assert pb.parameters_by_layer(net)[0][:2] == ("0.weight", (5, 10))
    assert linear_numbers(64, 10, bias=False) == 640
    shared = nn.Linear(4, 4)
    assert count_parameters(nn.Sequential(shared, shared)) == 20
    assert count_parameters(nn.BatchNorm1d(8)) == 16          # running statistics are buffers


def test_parameter_helpers_reject_bad_input(raises_bilingual):
    raises_bilingual(count_parameters, [torch.zeros(3)])
    raises_bilingual(pb.parameters_by_layer, "net")
    raises_bilingual(linear_numbers, 0, 3)
    raises_bilingual(linear_numbers, 3, 2.0)


def test_best_time_is_the_minimum_and_checks_its_input(raises_bilingual):
    calls = []
    assert pb.best_time(lambda: calls.append(1), repeats=3) >= 0 and len(calls) == 3
    raises_bilingual(pb.best_time, 3)
    raises_bilingual(pb.best_time, lambda: None, 0)


@pytest.mark.parametrize("name", list(pb.FUNCTIONS))
def test_autograd_matches_the_derivative_by_hand(name):
    for x in np.linspace(-2.5, 3, 23):
        value, slope = pb.value_and_grad(name, x)
        assert value == pytest.approx(float(pb.FUNCTIONS[name].torch_fn(torch.tensor(x, dtype=torch.float64))))
        assert slope == pytest.approx(pb.analytic_derivative(name, x), abs=1e-12)
        h = 1e-6
        if not (name == "relu" and abs(x) < 1e-3):   # no derivative at 0
            numeric = (pb.value_and_grad(name, x + h)[0] - pb.value_and_grad(name, x - h)[0]) / (2 * h)
            assert slope == pytest.approx(numeric, abs=1e-5)
    assert pb.value_and_grad("square", 3.0) == (9.0, 6.0)      # the source's example
    assert pb.value_and_grad("relu", 0.0) == (0.0, 0.0)


def test_autograd_helpers_reject_bad_input(raises_bilingual):
    raises_bilingual(pb.value_and_grad, "tan", 1.0)
    raises_bilingual(pb.value_and_grad, "square", float("nan"))
    raises_bilingual(pb.analytic_derivative, "square", "3")
    raises_bilingual(pb.grid, 1.0, 0.0, 0.1)


# -- figures ----------------------------------------------------------------------------------------------
def test_autograd_explorer_frames_and_weight():
    from helpers.figures.pytorch_basics import X_VALUES, autograd_explorer

    fig = autograd_explorer()
    base = fig.layers[0]
    overlay = base.overlays[0]
    assert 3.0 in X_VALUES and 0.0 in X_VALUES
    assert fig.frame(base)[:4] == b"\x89PNG"
    svg = fig.frame(overlay)                                  # x² at x = 3: the source's example
    assert "f(x) = 9.000" in svg and "f′(x) = 6.000" in svg and "✓ 一致" in svg
    assert "没有导数" in fig.frame(overlay, function="relu", x=0.0)
    assert fig.frame_count() == len(pb.FUNCTIONS) * (1 + len(X_VALUES))
    assert estimate_static_bytes(fig) < 700_000


def test_broadcast_explorer_shows_the_result_or_the_reason():
    from helpers.figures.pytorch_basics import broadcast_explorer

    fig = broadcast_explorer()
    overlay = fig.layers[0].overlays[0]
    assert "a + b：(3, 4)" in fig.frame(overlay, shape_a=(3, 1), shape_b=(4,))
    failed = fig.frame(overlay, shape_a=(3, 4), shape_b=(3,))
    assert "不能广播" in failed and "4 对 3" in failed
    assert estimate_static_bytes(fig) < 500_000


def test_explorers_reject_bad_arguments(raises_bilingual):
    from helpers.figures.pytorch_basics import autograd_explorer, broadcast_explorer

    raises_bilingual(autograd_explorer, "tan")
    raises_bilingual(autograd_explorer, "square", 3.1)
    raises_bilingual(broadcast_explorer, [(5, 1)])


# -- exercise checkers -------------------------------------------------------------------------------------
def shape_right(a, b):
    a, b = tuple(a), tuple(b)
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            raise ValueError("不能广播")
        out.append(y if x == 1 else x)
    return tuple(out)


def shape_left_aligned(a, b):
    n = max(len(a), len(b))
    a, b = tuple(a) + (1,) * (n - len(a)), tuple(b) + (1,) * (n - len(b))
    return shape_right(a, b)


def shape_no_check(a, b):    # never raises: (3, 2) and (2, 3) give (2, 3)
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    return tuple(y if x == 1 else x for x, y in zip(a, b))


def shape_max(a, b):          # the larger size: wrong for a size 0 and never raises
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    return tuple(max(x, y) for x, y in zip(a, b))


def shape_zip(a, b):          # zip stops at the shorter shape: the extra axes are lost
    return tuple(max(x, y) for x, y in zip(reversed(a), reversed(b)))[::-1]


@pytest.mark.parametrize("right", [
    shape_right,
    lambda a, b: torch.Size(shape_right(a, b)),
    lambda a, b: list(shape_right(a, b)),
    lambda a, b: tuple(np.int64(s) for s in shape_right(a, b)),
    lambda a, b: np.broadcast_shapes(a, b) if _fits(a, b) else shape_right(a, b),
    pb.broadcast_shape,
])
def test_check_broadcast_shape_accepts_right_answers(right):
    assert ex.check_broadcast_shape(right, strict=True)


def _fits(a, b):
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


@pytest.mark.parametrize("wrong, fragment", [
    (shape_left_aligned, "从右边对齐"),
    (shape_no_check, "ValueError"),
    (shape_max, "长度 0"),
    (shape_zip, "看作"),
    (lambda a, b: str(shape_right(a, b)), "tuple"),
    (lambda a, b: np.zeros(shape_right(a, b)), "tuple"),
])
def test_check_broadcast_shape_rejects_near_misses(wrong, fragment):
    result = ex.check_broadcast_shape(wrong)
    assert not result and fragment in result.message, result.message


@pytest.mark.parametrize("right", [
    lambda m: sum(p.numel() for p in m.parameters()),
    lambda m: np.int64(sum(p.numel() for p in m.parameters())),
    lambda m: torch.tensor(sum(p.numel() for p in m.parameters())),
    lambda m: float(sum(p.numel() for p in m.parameters())),
    count_parameters,
])
def test_check_count_parameters_accepts_right_answers(right):
    assert ex.check_count_parameters(right, strict=True)


@pytest.mark.parametrize("wrong, fragment", [
    (lambda m: sum(p.numel() for n, p in m.named_parameters() if "bias" not in n), "偏置"),
    (lambda m: len(list(m.parameters())), "期望 61"),
    (lambda m: sum(l.in_features * l.out_features + l.out_features
                   for l in m.modules() if isinstance(l, nn.Linear)), "model.parameters()"),
    (lambda m: sum(v.numel() for v in m.state_dict().values()), "state_dict"),
    (lambda m: sum(p.numel() for layer in (m if isinstance(m, nn.Sequential) else [m])
                for p in layer.parameters()), "共享"),          # layer by layer: shared twice,
    (lambda m: str(sum(p.numel() for p in m.parameters())), "字符串"),
])
def test_check_count_parameters_rejects_near_misses(wrong, fragment):
    result = ex.check_count_parameters(wrong)
    assert not result and fragment in result.message, result.message


def step_right(model, loss_fn, optimizer, X, y):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def step_no_zero_grad(model, loss_fn, optimizer, X, y):
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def step_zero_after_backward(model, loss_fn, optimizer, X, y):
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
    return loss.item()


def step_loss_after(model, loss_fn, optimizer, X, y):
    step_right(model, loss_fn, optimizer, X, y)
    with torch.no_grad():
        return loss_fn(model(X), y).item()


def step_in_place(model, loss_fn, optimizer, X, y):
    X -= X.mean(dim=0)            # centres the reader's data in place
    return step_right(model, loss_fn, optimizer, X, y)


@pytest.mark.parametrize("right", [
    step_right,
    lambda m, f, o, X, y: (o.zero_grad(set_to_none=False), step_no_zero_grad(m, f, o, X, y))[1],
    lambda m, f, o, X, y: _returns_tensor(m, f, o, X, y),
])
def test_check_training_step_accepts_right_answers(right):
    assert ex.check_training_step(right, strict=True)


def _returns_tensor(model, loss_fn, optimizer, X, y):
    for p in model.parameters():
        p.grad = None
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss                 # a 0-d tensor that requires grad is a number too


@pytest.mark.parametrize("wrong, fragment", [
    (step_no_zero_grad, "zero_grad"),
    (step_zero_after_backward, "一点没变"),
    (step_loss_after, "更新之前"),
    (step_in_place, "改动了传入的参数"),
    (lambda m, f, o, X, y: f(m(X), y).item(), "一点没变"),
    (lambda m, f, o, X, y: step_right(m, f, o, X, y) and None, "None"),
])
def test_check_training_step_rejects_near_misses(wrong, fragment):
    result = ex.check_training_step(wrong)
    assert not result and fragment in result.message, result.message


class DatasetRight(torch.utils.data.Dataset):
    def __init__(self, X, y):
        self.X = torch.as_tensor(X, dtype=torch.float32)
        self.y = torch.as_tensor(y, dtype=torch.int64)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


class DatasetIntLabels(DatasetRight):
    def __getitem__(self, i):
        return self.X[i], int(self.y[i])


class DatasetFloat64(DatasetRight):
    def __init__(self, X, y):
        super().__init__(X, y)
        self.X = torch.from_numpy(np.asarray(X, dtype=np.float64))


class DatasetFloatLabels(DatasetRight):
    def __getitem__(self, i):
        return self.X[i], self.y[i].float()


class DatasetWrongLength(DatasetRight):
    def __len__(self):
        return self.X.shape[1]


class DatasetInPlace(DatasetRight):
    def __init__(self, X, y):
        X /= 16                   # rescales the reader's array in place
        super().__init__(X, y)


@pytest.mark.parametrize("right", [DatasetRight, DatasetIntLabels,
                                   lambda X, y: torch.utils.data.TensorDataset(
                                       torch.tensor(X, dtype=torch.float32), torch.tensor(y))])
def test_check_dataset_accepts_right_answers(right):
    assert ex.check_dataset(right, strict=True)


@pytest.mark.parametrize("wrong, fragment", [
    (DatasetFloat64, "float32"),
    (DatasetFloatLabels, "int64"),
    (DatasetWrongLength, "样本数"),
    (DatasetInPlace, "改动了传入的参数"),
])
def test_check_dataset_rejects_near_misses(wrong, fragment):
    result = ex.check_dataset(wrong)
    assert not result and fragment in result.message, result.message
