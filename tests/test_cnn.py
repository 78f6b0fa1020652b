"""Tests of chapter 6 (卷积神经网络): helpers.cnn, its figures and its exercise checkers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers import cnn

pytestmark = pytest.mark.usefixtures("book_style")


def _torch_conv(X, K, b=None, padding=0, stride=1):
    t = lambda a: None if a is None else torch.as_tensor(np.asarray(a, float))  # noqa: E731
    return F.conv2d(t(X), t(K), t(b), padding=padding, stride=stride).numpy()


# -- helpers.cnn: right results -----------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(20))
def test_conv2d_matches_torch_with_channels_padding_and_stride(seed):
    rng = np.random.default_rng(seed)
    n, c_in, c_out = rng.integers(1, 3), rng.integers(1, 4), rng.integers(1, 4)
    h, w = rng.integers(3, 9, size=2)
    kh, kw = rng.integers(1, 4, size=2)
    padding, stride = int(rng.integers(0, 3)), int(rng.integers(1, 4))
    X = rng.normal(size=(n, c_in, h, w))
    K = rng.normal(size=(c_out, c_in, kh, kw))
    b = rng.normal(size=c_out)
    np.testing.assert_allclose(cnn.conv2d(X, K, b, padding, stride), _torch_conv(X, K, b, padding, stride),
                               atol=1e-12)
    # one image with channels, and one channel alone, have the shapes torch gives without the batch axis
    np.testing.assert_allclose(cnn.conv2d(X[0], K, padding=padding, stride=stride),
                               _torch_conv(X[:1], K, padding=padding, stride=stride)[0], atol=1e-12)
    np.testing.assert_allclose(cnn.conv2d(X[0, 0], K[0, 0], padding=padding, stride=stride),
                               _torch_conv(X[:1, :1], K[:1, :1], padding=padding, stride=stride)[0, 0], atol=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_max_pool2d_matches_torch(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, 3, *rng.integers(3, 10, size=2)))
    size, stride = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    want = F.max_pool2d(torch.as_tensor(X), size, stride).numpy()
    np.testing.assert_array_equal(cnn.max_pool2d(X, size, stride), want)
    np.testing.assert_array_equal(cnn.max_pool2d(X, size), F.max_pool2d(torch.as_tensor(X), size).numpy())


def test_the_sevens_feature_maps_tell_the_chapters_story():
    vertical, horizontal = cnn.KERNELS["vertical"].weights, cnn.KERNELS["horizontal"].weights
    assert cnn.SEVEN.shape == (6, 6) and set(np.unique(cnn.SEVEN)) == {0.0, 1.0}
    v0, h0 = cnn.conv2d(cnn.SEVEN, vertical), cnn.conv2d(cnn.SEVEN, horizontal)
    assert v0.shape == h0.shape == (4, 4)
    assert v0.max() == 3 and (h0 <= 0).all()          # without padding the top bar is lost
    v1, h1 = cnn.conv2d(cnn.SEVEN, vertical, padding=1), cnn.conv2d(cnn.SEVEN, horizontal, padding=1)
    assert v1.shape == h1.shape == (6, 6)
    assert h1[0].min() > 0 and v1[:, 4].max() == 3    # with padding both show
    pooled = cnn.max_pool2d(cnn.relu(np.stack([v1, h1])), 2)
    np.testing.assert_array_equal(pooled, [[[0, 0, 1], [0, 0, 3], [0, 0, 3]], [[3, 3, 2], [0, 0, 0], [0, 0, 0]]])


def test_kernels_are_3x3_and_read_only():
    for name, kernel in cnn.KERNELS.items():
        assert kernel.weights.shape == (3, 3) and kernel.label and kernel.note.endswith("。"), name
        with pytest.raises(ValueError):
            kernel.weights[0, 0] = 5.0
    np.testing.assert_allclose(cnn.conv2d(cnn.SEVEN, cnn.KERNELS["identity"].weights, padding=1), cnn.SEVEN)
    assert cnn.KERNELS["blur"].weights.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("n, k, p, s", [(6, 3, 0, 1), (6, 3, 1, 1), (8, 3, 1, 2), (7, 3, 0, 2), (28, 5, 2, 1),
                                        (224, 7, 3, 2), (5, 5, 0, 1), (10, 3, 0, 3), (9, 4, 1, 2), (1, 3, 1, 1)])
def test_output_size_is_what_torch_gives(n, k, p, s):
    got = cnn.output_size(n, k, p, s)
    shape = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), padding=p, stride=s).shape
    assert got == shape[-1] == (n + 2 * p - k) // s + 1 and isinstance(got, int)
    assert cnn.conv2d(np.zeros((n, n)), np.zeros((k, k)), padding=p, stride=s).shape == (got, got)


def test_output_size_accepts_numpy_integers():
    assert cnn.output_size(np.int64(6), np.int32(3), np.int64(1), np.int8(1)) == 6


def test_pad2d_relu_and_window():
    padded = cnn.pad2d(cnn.SEVEN, 1)
    assert padded.shape == (8, 8) and padded[0].sum() == 0 and padded[1:-1, 1:-1].tolist() == cnn.SEVEN.tolist()
    assert cnn.pad2d(np.ones((2, 3, 4)), 2).shape == (2, 7, 8)
    np.testing.assert_array_equal(cnn.relu(np.array([[-1.0, 2.0]])), [[0.0, 2.0]])
    step = cnn.window(cnn.SEVEN, cnn.KERNELS["vertical"].weights, 0, 0)
    np.testing.assert_array_equal(step.patch, cnn.SEVEN[:3, :3])
    assert step.total == -1.0 == cnn.conv2d(cnn.SEVEN, cnn.KERNELS["vertical"].weights)[0, 0]
    np.testing.assert_array_equal(step.products, step.patch * cnn.KERNELS["vertical"].weights)
    # with padding and stride, every window's sum is the feature map's value
    K = np.arange(9.0).reshape(3, 3) - 4
    Y = cnn.conv2d(cnn.SEVEN, K, padding=1, stride=2)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            assert cnn.window(cnn.SEVEN, K, i, j, padding=1, stride=2).total == pytest.approx(Y[i, j])


def test_shift2d_and_translation_equivariance():
    X = np.zeros((10, 10))
    X[2:8, 1:7] = cnn.SEVEN                         # room around the 7, so nothing leaves the image
    K = cnn.KERNELS["sobel_x"].weights
    for down, right in [(1, 0), (0, 2), (-1, 1), (1, -1)]:
        moved = cnn.shift2d(X, down, right)
        assert moved.sum() == X.sum()
        np.testing.assert_allclose(cnn.conv2d(moved, K, padding=1), cnn.shift2d(cnn.conv2d(X, K, padding=1),
                                                                                down, right))
    assert cnn.shift2d(X, 10, 0).sum() == 0
    np.testing.assert_array_equal(cnn.shift2d(np.arange(4.0).reshape(1, 4), 0, 1), [[0, 0, 1, 2]])


@pytest.mark.parametrize("X", [cnn.SEVEN.tolist(), cnn.SEVEN.astype(np.float32), cnn.SEVEN.astype(int),
                               torch.tensor(cnn.SEVEN), torch.tensor(cnn.SEVEN, requires_grad=True)])
def test_inputs_of_every_usual_type_are_accepted(X):
    want = cnn.conv2d(cnn.SEVEN, cnn.KERNELS["vertical"].weights)
    np.testing.assert_allclose(cnn.conv2d(X, torch.tensor(cnn.KERNELS["vertical"].weights)), want)


# -- helpers.cnn: bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda: cnn.output_size(3, 5, 0, 1),                      # kernel larger than the image
    lambda: cnn.output_size(3, 8, 1, 1),                      # ... than the padded image
    lambda: cnn.output_size(6, 3, 0, 0),                      # stride 0
    lambda: cnn.output_size(6, 3, 0, -1),
    lambda: cnn.output_size(6, 3, -1, 1),
    lambda: cnn.output_size(6, 3, 0, 1.5),
    lambda: cnn.output_size(6, 3, 0, True),
    lambda: cnn.output_size(0, 3, 2, 1),
    lambda: cnn.output_size(6, 0, 0, 1),
    lambda: cnn.output_size("6", 3, 0, 1),
    lambda: cnn.conv2d(np.ones((3, 3)), np.ones((5, 5))),    # kernel larger than the image
    lambda: cnn.conv2d(np.ones((3, 3)), np.ones((8, 8)), padding=2),
    lambda: cnn.conv2d(np.ones((3, 6)), np.ones((4, 2))),    # too tall only
    lambda: cnn.conv2d(np.ones((6, 6)), np.ones((3, 3)), stride=0),
    lambda: cnn.conv2d(np.ones((6, 6)), np.ones((3, 3)), padding=-1),
    lambda: cnn.conv2d(np.ones((6, 6)), np.ones((3, 3)), padding=0.5),
    lambda: cnn.conv2d(np.ones((2, 6, 6)), np.ones((4, 3, 3, 3))),    # 2 channels in, kernels for 3
    lambda: cnn.conv2d(np.ones((1, 6, 6)), np.ones((3, 3))),          # channels need 4-D kernels
    lambda: cnn.conv2d(np.ones((1, 6, 6)), np.ones((2, 1, 3, 3)), bias=np.ones(3)),
    lambda: cnn.conv2d(np.ones(6), np.ones(3)),
    lambda: cnn.conv2d(np.zeros((0, 6)), np.ones((3, 3))),
    lambda: cnn.conv2d(np.full((6, 6), np.nan), np.ones((3, 3))),
    lambda: cnn.conv2d(np.full((6, 6), "a"), np.ones((3, 3))),
    lambda: cnn.conv2d(np.ones((6, 6)), np.array([[1 + 1j]])),
    lambda: cnn.max_pool2d(np.ones((3, 3)), 4),
    lambda: cnn.max_pool2d(np.ones((4, 4)), 0),
    lambda: cnn.max_pool2d(np.ones((4, 4)), 2, 0),
    lambda: cnn.max_pool2d(np.ones(4), 2),
    lambda: cnn.pad2d(np.ones((2, 2)), -1),
    lambda: cnn.window(cnn.SEVEN, np.ones((3, 3)), 4, 0),
    lambda: cnn.window(cnn.SEVEN, np.ones((7, 7)), 0, 0),
    lambda: cnn.window(cnn.SEVEN, np.ones((3, 3)), -1, 0),
    lambda: cnn.shift2d(cnn.SEVEN, 0.5, 0),
    lambda: cnn.relu(np.array([np.inf])),
])
def test_bad_input_raises_bilingual_value_error(call, raises_bilingual):
    raises_bilingual(call)


def test_errors_name_the_problem(raises_bilingual):
    assert "步幅" in raises_bilingual(cnn.conv2d, np.ones((6, 6)), np.ones((3, 3)), stride=0)
    message = raises_bilingual(cnn.conv2d, np.ones((3, 3)), np.ones((8, 8)), padding=2)
    assert "填充后的输入" in message and "3 + 2×2 = 7" in message
    assert "大于输入（3）" in raises_bilingual(cnn.max_pool2d, np.ones((3, 3)), 4)
    assert "通道" in raises_bilingual(cnn.conv2d, np.ones((2, 6, 6)), np.ones((4, 3, 3, 3)))
