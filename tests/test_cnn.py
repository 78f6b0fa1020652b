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


def test_first_digits(raises_bilingual):
    digits = cnn.first_digits((0, 7))
    assert list(digits) == [0, 7] and all(d.shape == (8, 8) and d.max() <= 16 for d in digits.values())
    raises_bilingual(cnn.first_digits, (10,))
    raises_bilingual(cnn.first_digits, (1.5,))


# -- figures --------------------------------------------------------------------------------------------
from matplotlib.figure import Figure  # noqa: E402

from helpers.figures import cnn as figs  # noqa: E402


def test_format_cell():
    assert [figs.format_cell(v) for v in (3.0, -0.0, -2, 1 / 9, -1 / 3, 53 / 9, 12.0)] == \
        ["3", "0", "-2", "0.11", "-0.33", "5.9", "12"]


def test_static_figures_return_figures(rng):
    seven, vertical = cnn.SEVEN, cnn.KERNELS["vertical"].weights
    assert isinstance(figs.draw_value_grids([seven, vertical], ["7", "竖线"], ["image", "signed"]), Figure)
    assert isinstance(figs.draw_value_grids([cnn.pad2d(seven, 1)], ["填充"], ["image"], [1]), Figure)
    flat = np.arange(18.0)
    assert isinstance(figs.draw_cnn_pipeline(seven, [vertical, vertical.T], ["竖", "横"], 1, np.full(10, 0.1),
                                             flat), Figure)
    assert isinstance(figs.draw_learned_kernels(rng.normal(size=(16, 1, 3, 3))), Figure)
    assert isinstance(figs.draw_learned_kernels(torch.randn(5, 1, 3, 3), numbers=False), Figure)
    assert isinstance(figs.draw_feature_maps(rng.uniform(size=(8, 8)), rng.uniform(size=(4, 8, 8))), Figure)


@pytest.mark.parametrize("call", [
    lambda: figs.draw_value_grids([], []),
    lambda: figs.draw_value_grids([np.ones((2, 2))], ["a", "b"]),
    lambda: figs.draw_value_grids([np.ones((2, 2))], ["a"], kinds=["colour"]),
    lambda: figs.draw_value_grids([np.ones(3)], ["a"]),
    lambda: figs.draw_value_grids([np.full((2, 2), np.nan)], ["a"]),
    lambda: figs.draw_value_grids([np.ones((2, 2))], ["a"], paddings=[-1]),
    lambda: figs.draw_cnn_pipeline(cnn.SEVEN, [np.ones((3, 3))], ["a"], 1, np.full(10, 0.1), np.ones(5)),
    lambda: figs.draw_cnn_pipeline(cnn.SEVEN, [np.ones((3, 3))], ["a", "b"], 1, np.full(10, 0.1), np.ones(9)),
    lambda: figs.draw_learned_kernels(np.ones((4, 3, 3))),
    lambda: figs.draw_learned_kernels(np.ones((4, 2, 3, 3))),
    lambda: figs.draw_feature_maps(np.ones((8, 8)), np.ones((8, 8))),
    lambda: figs.grid_html(np.ones((2, 2)), kind="grey"),
    lambda: figs.kernel_explorer(kernel_names=("vertical", "round")),
    lambda: figs.kernel_explorer(strides=(0, 1)),
    lambda: figs.convolution_walk_explorer(padding=-1),
    lambda: figs.convolution_walk_explorer(np.ones((2, 2))),          # no room for a 3x3 window
])
def test_figure_bad_input_raises_bilingual_value_error(call, raises_bilingual):
    raises_bilingual(call)


def test_grid_html_is_compact_and_marks_padding_window_and_blanks():
    table = figs.grid_html(cnn.pad2d(cnn.SEVEN, 1), "image", padding=1, window_at=(0, 0, 3))
    assert table.count("<tr>") == 8 and table.count("<td") == 64
    assert table.count("class=x") + table.count('"x w"') == 28          # the ring of padding
    assert table.count(" w\"") == 9                                      # the window's cells
    signed = figs.grid_html(np.array([[-3.0, 0.0, 1.5, 3.0]]))
    assert "class=n4>-3" in signed and "class=z>0" in signed and "class=p2>1.5" in signed
    blank = figs.grid_html(np.ones((2, 2)), blank=np.array([[False, True], [True, True]]), current=(0, 0))
    assert blank.count("class=b>") == 3 and '"p4 c"' in blank
    assert "<style>" in figs.GRID_STYLE and ".ml6 .p4" in figs.GRID_STYLE


def _frames(fig, layer):
    fig.render_all()
    return list(layer.frames.values())


def test_kernel_explorer_frames_show_the_chapters_numbers_and_stay_small():
    fig = figs.kernel_explorer()
    inputs, kernel, feature, pooled = fig.layers
    # input: 4 images x 2 paddings; kernel: 8; feature map: 8 x 4 x 2 x 2 x 2; pooled: that x 2
    assert fig.frame_count() == 8 + 8 + 256 + 512
    default = fig.frame(feature)
    assert "4×4" in default and "⌊(6 + 2×0 − 3) / 1⌋ + 1 = 4" in default
    expected = cnn.conv2d(cnn.SEVEN, cnn.KERNELS["vertical"].weights)
    assert default.count("<td") == 16 and all(f">{figs.format_cell(v)}" in default for v in expected.ravel())
    padded = fig.frame(feature, kernel="horizontal", padding=1)
    assert "6×6" in padded and padded.count("<td") == 36
    relu = fig.frame(feature, kernel="horizontal", padding=1, use_relu=True)
    assert "ReLU" in relu and ">-" not in relu.split("</div>", 1)[1]
    dark = fig.frame(feature, kernel="horizontal", image=1, padding=1, stride=2, use_relu=True)
    assert "全是 0" in dark and "全是 0" not in relu                # the frame says why it is empty
    strided = fig.frame(feature, padding=1, stride=2)
    assert "⌊(6 + 2×1 − 3) / 2⌋ + 1 = 3" in strided
    assert "关" in fig.frame(pooled) and "6×6 → 3×3" in fig.frame(pooled, padding=1, pool=True)
    tiny = fig.frame(pooled, stride=2, pool=True)                 # a 2x2 map pools to 1x1
    assert "2×2 → 1×1" in tiny
    assert "<style>" in fig.frame(kernel) and "Sobel" in fig.frame(kernel, kernel="sobel_x")
    assert "手写 3" in fig.frame(inputs, image=2)
    total = sum(len(f.encode()) for layer in fig.layers for f in set(_frames(fig, layer)))
    assert total < 400_000, total                                  # the page stays light


def test_walk_explorer_fills_the_feature_map_step_by_step():
    fig = figs.convolution_walk_explorer(cnn.SEVEN, padding=0)
    inputs, products, output = fig.layers
    assert len(fig.controls["position"].values) == 16 and fig.frame_count() == 16 + 32 + 32
    first = fig.frame(products, position=(0, 0))
    assert "<b>-1</b>" in first and "(-1) + 1 + (-1)" in first
    last = fig.frame(output, kernel="horizontal", position=(3, 3))
    assert "class=b>" not in last and last.count("<td") == 16
    assert fig.frame(output, position=(0, 1)).count("class=b>") == 14
    padded = figs.convolution_walk_explorer(cnn.SEVEN, kernel_names=("horizontal",), padding=1)
    assert len(padded.controls["position"].values) == 36
    top = padded.frame(padded.layers[1], position=(0, 2))
    assert "<b>3</b>" in top                                       # the padded top row finds the bar
    for layer in padded.layers:
        assert all(isinstance(f, str) for f in _frames(padded, layer))


def test_explorers_build_live_widgets():
    import ipywidgets as widgets

    fig = figs.kernel_explorer(kernel_names=("vertical", "blur"), paddings=(0, 1), strides=(1,))
    box = fig.widget()
    assert isinstance(box, widgets.VBox)
    controls = box.children[1].children
    assert [c.description for c in controls] == ["卷积核", "输入", "填充 p", "步幅 s", "ReLU", "2×2 最大池化"]
    walk = figs.convolution_walk_explorer()
    assert isinstance(walk.widget(), widgets.VBox)


# -- exercise checkers ------------------------------------------------------------------------------------
from helpers.exercises import cnn as ex  # noqa: E402


def size_right(n, k, p, s):
    if s < 1 or k > n + 2 * p:
        raise ValueError("bad")
    return (n + 2 * p - k) // s + 1


@pytest.mark.parametrize("right", [
    size_right,
    lambda n, k, p, s: float(size_right(n, k, p, s)),
    lambda n, k, p, s: np.int64(size_right(n, k, p, s)),
    lambda n, k, p, s: torch.tensor(size_right(n, k, p, s)),
    lambda n, k, p, s: int(np.floor((n + 2 * p - k) / s)) + 1 if s >= 1 and k <= n + 2 * p else size_right(0, 1, 0, 0),
    lambda n, k, p, s: cnn.output_size(n, k, p, s),
])
def test_check_output_size_accepts_right_answers(right):
    assert ex.check_output_size(right, strict=True)


def _guarded(formula):
    def fn(n, k, p, s):
        if s < 1 or k > n + 2 * p:
            raise ValueError("bad")
        return formula(n, k, p, s)
    return fn


@pytest.mark.parametrize("wrong, fragment", [
    (_guarded(lambda n, k, p, s: (n + p - k) // s + 1), "n + 2p"),          # one side padded only
    (_guarded(lambda n, k, p, s: (n + 2 * p - k) / s + 1), "向下取整"),       # no floor
    (_guarded(lambda n, k, p, s: -(-(n + 2 * p - k) // s) + 1), "向下取整"),  # rounded up
    (_guarded(lambda n, k, p, s: (n + 2 * p - k) // s), "+ 1"),             # the first window forgotten
    (_guarded(lambda n, k, p, s: (n - k) // s + 1), "n + 2p"),              # padding forgotten
    (_guarded(lambda n, k, p, s: n + 2 * p - k + 1), "步幅"),                # stride forgotten
    (lambda n, k, p, s: (n + 2 * p - k) // s + 1 if s else 0, "ValueError"),  # no checks at all
    (lambda n, k, p, s: str((n + 2 * p - k) // s + 1), "字符串"),
])
def test_check_output_size_rejects_near_misses(wrong, fragment):
    result = ex.check_output_size(wrong)
    assert not result and fragment in result.message, result.message


def conv_right(X, K, padding, stride):
    Xp = np.pad(X, padding)
    kh, kw = K.shape
    out = np.zeros(((Xp.shape[0] - kh) // stride + 1, (Xp.shape[1] - kw) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (Xp[i * stride:i * stride + kh, j * stride:j * stride + kw] * K).sum()
    return out


@pytest.mark.parametrize("right", [
    conv_right,
    lambda X, K, p, s: F.conv2d(torch.tensor(X)[None, None], torch.tensor(K)[None, None], padding=p, stride=s)[0, 0],
    lambda X, K, p, s: F.conv2d(torch.Tensor(X)[None, None], torch.Tensor(K)[None, None], padding=p, stride=s)[0, 0],
    lambda X, K, p, s: F.conv2d(torch.tensor(X, requires_grad=True)[None, None], torch.tensor(K)[None, None],
                                padding=p, stride=s)[0, 0],
    lambda X, K, p, s: cnn.conv2d(X, K, padding=p, stride=s),
    lambda X, K, p, s: conv_right(X, K, p, 1)[::s, ::s],                 # every window, then every s-th
    lambda X, K, p, s: conv_right(X, K, p, s).tolist(),
])
def test_check_conv2d_accepts_right_answers(right):
    assert ex.check_conv2d(right, strict=True)


def conv_square(X, K, padding, stride):
    Xp = np.pad(X, padding)
    k = K.shape[0]
    n = (Xp.shape[0] - k) // stride + 1                             # the image assumed square
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = (Xp[i * stride:i * stride + k, j * stride:j * stride + k] * K).sum()
    return out


def conv_true(X, K, padding, stride):
    return conv_right(X, np.flip(K), padding, stride)              # a true convolution


def conv_in_place_pad(X, K, padding, stride):
    X += 0.0 * X.sum() + (1.0 if padding else 0.0)                 # changes the reader's image
    return conv_right(X - (1.0 if padding else 0.0), K, padding, stride)


@pytest.mark.parametrize("wrong, fragment", [
    (conv_true, "不翻转"),                                                     # flipped kernel
    (lambda X, K, p, s: conv_right(X, K, 0, s), "补"),                         # padding forgotten
    (lambda X, K, p, s: conv_right(X, K, p, 1), "stride"),                     # stride forgotten
    (conv_square, "高"),                                                      # output size from the height only
    (lambda X, K, p, s: conv_right(X, K[:, :K.shape[0]] if K.shape[1] > K.shape[0] else K, p, s), "K.shape"),
    (lambda X, K, p, s: conv_right(X, K, p, s)[:-1], "形状"),                   # one row short
    (lambda X, K, p, s: conv_right(np.pad(X, p), K, p, s), "形状"),             # padded twice
    (conv_in_place_pad, "改动了传入的参数"),
])
def test_check_conv2d_rejects_near_misses(wrong, fragment):
    result = ex.check_conv2d(wrong)
    assert not result and fragment in result.message, result.message


def pool_right(X, size, stride):
    out = np.zeros(((X.shape[0] - size) // stride + 1, (X.shape[1] - size) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = X[i * stride:i * stride + size, j * stride:j * stride + size].max()
    return out


def pool_square(X, size, stride):
    n = (X.shape[0] - size) // stride + 1                           # the input assumed square
    return np.array([[X[i * stride:i * stride + size, j * stride:j * stride + size].max() for j in range(n)]
                     for i in range(n)])


def pool_from_zero(X, size, stride):
    out = pool_right(X, size, stride)
    return np.maximum(out, 0)                                       # a maximum that starts at 0


def pool_ceil(X, size, stride):
    padded = np.pad(X, ((0, size), (0, size)), constant_values=-np.inf)
    n_h, n_w = -(-(X.shape[0] - size) // stride) + 1, -(-(X.shape[1] - size) // stride) + 1
    return pool_right(padded, size, stride)[:n_h, :n_w]


@pytest.mark.parametrize("right", [
    pool_right,
    lambda X, size, stride: F.max_pool2d(torch.tensor(X)[None], size, stride)[0],
    lambda X, size, stride: F.max_pool2d(torch.Tensor(X)[None], size, stride)[0],
    lambda X, size, stride: cnn.max_pool2d(X, size, stride),
    lambda X, size, stride: pool_right(X, size, stride).tolist(),
])
def test_check_max_pool2d_accepts_right_answers(right):
    assert ex.check_max_pool2d(right, strict=True)


@pytest.mark.parametrize("wrong, fragment", [
    (lambda X, size, stride: pool_right(X, size, size), "stride"),               # stride ignored
    (pool_from_zero, "不要从 0 开始"),
    (lambda X, size, stride: F.avg_pool2d(torch.tensor(X)[None], size, stride)[0], "[[5, 7], [13, 15]]"),
    (pool_ceil, "丢掉"),
    (pool_square, "3×2"),                                                        # output size from the height
    (lambda X, size, stride: -pool_right(-X, size, stride), "[[5, 7], [13, 15]]"),  # min pooling
])
def test_check_max_pool2d_rejects_near_misses(wrong, fragment):
    result = ex.check_max_pool2d(wrong)
    assert not result and fragment in result.message, result.message
