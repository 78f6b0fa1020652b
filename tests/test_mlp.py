"""Tests of chapter 5 (多层感知机): helpers.mlp, its figures and its exercise checkers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from helpers import mlp

pytestmark = pytest.mark.usefixtures("book_style")


# -- activations -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, reference", [
    ("relu", torch.relu), ("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("none", lambda z: z),
])
def test_activations_match_torch(name, reference):
    z = torch.linspace(-6, 6, 121, dtype=torch.float64)
    torch.testing.assert_close(mlp.activate(name, z), reference(z))


@pytest.mark.parametrize("name", mlp.ACTIVATIONS)
def test_derivatives_by_formula_match_autograd(name):
    z = torch.cat([torch.linspace(-6, 6, 121, dtype=torch.float64), torch.zeros(1, dtype=torch.float64)])
    z.requires_grad_(True)
    mlp.activate(name, z).sum().backward()
    torch.testing.assert_close(mlp.activation_derivative(name, z.detach()), z.grad)


def test_relu_derivative_at_zero_is_zero_like_pytorch():
    assert mlp.activation_derivative("relu", [0.0]).item() == 0.0
    z = torch.zeros(1, requires_grad=True)
    torch.relu(z).backward()
    assert z.grad.item() == 0.0


@pytest.mark.parametrize("z", [[-1, 0, 2], np.array([-1.0, 0.0, 2.0]), np.float32(2.0), torch.tensor([-1, 0, 2])])
def test_activation_accepts_lists_arrays_numbers_and_integer_tensors(z):
    out = mlp.activate("relu", z)
    assert isinstance(out, torch.Tensor) and out.dtype.is_floating_point
    assert float(out.max()) == 2.0


# -- forward pass and collapse ------------------------------------------------------------------------
def _sequential_like(weights, biases, activation):
    layers = []
    for i, (W, b) in enumerate(zip(weights, biases)):
        linear = nn.Linear(W.shape[0], W.shape[1]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.as_tensor(W).T)   # nn.Linear stores Wᵀ
            linear.bias.copy_(torch.as_tensor(b))
        layers.append(linear)
        if i < len(weights) - 1:
            layers.append({"relu": nn.ReLU(), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(),
                           "none": nn.Identity()}[activation])
    return nn.Sequential(*layers)


@pytest.mark.parametrize("activation", mlp.ACTIVATIONS)
@pytest.mark.parametrize("sizes", [(3, 5, 2), (4, 6, 6, 3), (2, 1)])
def test_mlp_forward_matches_nn_sequential(rng, activation, sizes):
    weights = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=b) for b in sizes[1:]]
    X = rng.normal(size=(7, sizes[0]))
    want = _sequential_like(weights, biases, activation)(torch.as_tensor(X))
    torch.testing.assert_close(mlp.mlp_forward(X, weights, biases, activation), want.detach())


def test_mlp_forward_accepts_tensors_and_float32(rng):
    W1, W2 = rng.normal(size=(2, 3)), rng.normal(size=(3, 2))
    X = torch.tensor(rng.normal(size=(4, 2)), dtype=torch.float32)
    out = mlp.mlp_forward(X, [torch.tensor(W1, dtype=torch.float32), W2], [np.zeros(3), np.zeros(2)])
    assert out.shape == (4, 2)


def test_collapse_linear_is_one_linear_map(rng):
    weights = [rng.normal(size=(4, 6)), rng.normal(size=(6, 5)), rng.normal(size=(5, 3))]
    biases = [rng.normal(size=6), rng.normal(size=5), rng.normal(size=3)]
    X = rng.normal(size=(10, 4))
    W, b = mlp.collapse_linear(weights, biases)
    assert W.shape == (4, 3) and b.shape == (3,)
    torch.testing.assert_close(torch.as_tensor(X) @ W + b, mlp.mlp_forward(X, weights, biases, "none"))


# -- universal approximation and depth -----------------------------------------------------------------
def test_relu_basis_fit_is_an_mlp_and_improves_with_units():
    x = np.linspace(-3, 3, 301)
    y = np.sin(2 * x) + 0.5 * x
    errors = []
    for h in (2, 4, 8, 16, 32):
        fit = mlp.relu_basis_fit(x, y, h)
        np.testing.assert_allclose(fit(x), mlp.mlp_forward(x[:, None], [fit.W1, fit.W2], [fit.b1, fit.b2])[:, 0],
                                   atol=1e-12)
        np.testing.assert_allclose(fit.pieces(x).sum(axis=0) + fit.b2[0], fit(x), atol=1e-12)
        errors.append(np.abs(fit(x) - y).max())
    assert all(b < a for a, b in zip(errors[1:], errors[2:])) and errors[-1] < 0.02


def test_relu_basis_fit_is_exact_for_a_piecewise_linear_curve_with_its_kinks():
    x = np.linspace(0, 1, 101)
    y = np.abs(x - 0.5)   # kinks at 0 and 0.5: two units
    assert np.abs(mlp.relu_basis_fit(x, y, 2)(x) - y).max() < 1e-12


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_tent_network_is_a_sawtooth_with_2_to_the_k_pieces(depth):
    x = np.linspace(0, 1, 2 ** 10 + 1)
    net = mlp.tent_network(depth)
    with torch.no_grad():
        y = net(torch.tensor(x, dtype=torch.float32)[:, None])[:, 0].numpy()
    assert mlp.count_linear_pieces(x, y) == 2 ** depth
    teeth = x[np.isclose(y, 1.0, atol=1e-5)]
    assert len(teeth) == 2 ** (depth - 1)
    assert sum(p.numel() for p in net.parameters()) == 6 * depth + 1   # 4 + 6 (k - 1) + 3


def test_count_linear_pieces():
    x = np.linspace(-1, 1, 201)
    assert mlp.count_linear_pieces(x, 3 * x + 1) == 1
    assert mlp.count_linear_pieces(x, np.abs(x)) == 2
    assert mlp.count_linear_pieces(x, np.maximum(0, x - 0.303)) == 2   # a kink between grid points


# -- the playground's data and the batched training ----------------------------------------------------
@pytest.mark.parametrize("kind", ["xor", "moons", "circles", "spiral"])
def test_playground_data_is_split_and_standardized(kind):
    data = mlp.playground_data(kind)
    assert data.X_train.shape == (200, 2) and data.X_test.shape == (100, 2)
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(data.X_train.std(axis=0), 1, atol=1e-5)
    assert set(np.unique(data.y_train)) == {0, 1}


def _train_alone(data, hidden, depth, activation, lr, epochs, batch_size=20, seed=0):
    """The same model trained the ordinary way: nn.Sequential, nn.CrossEntropyLoss, torch.optim.SGD."""
    weights, biases = mlp.init_mlp_weights(hidden, depth, seed=seed)
    model = _sequential_like([w.double() for w in weights], [b.double() for b in biases], activation).float()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    X, y = torch.as_tensor(data.X_train), torch.as_tensor(data.y_train)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(epochs):
        for idx in torch.randperm(len(y), generator=generator).split(batch_size):
            loss = loss_fn(model(X[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            losses.append(loss_fn(model(X), y).item())
    return np.array(losses)


def test_batched_training_equals_training_each_model_alone():
    datasets = [mlp.playground_data("xor"), mlp.playground_data("moons")]
    configs = [mlp.MLPConfig(1, 4, "tanh", 0.3), mlp.MLPConfig(0, 16, "relu", 0.1),
               mlp.MLPConfig(1, 2, "sigmoid", 1.0), mlp.MLPConfig(0, 4, "none", 0.05)]
    result = mlp.train_mlp_batch(datasets, configs, depth=2, epochs=4)
    for m, c in enumerate(configs):
        alone = _train_alone(datasets[c.data], c.hidden, 2, c.activation, c.lr, 4)
        np.testing.assert_allclose(result.train_loss[m, 1:], alone, rtol=1e-4, atol=1e-5)
    assert (result.diverged_at == -1).all()


def test_batched_training_learns_and_records_snapshots():
    datasets = [mlp.playground_data("circles")]
    grid = np.array([[0.0, 0.0], [2.0, 2.0]])
    result = mlp.train_mlp_batch(datasets, [mlp.MLPConfig(0, 16, "relu", 1.0)], depth=1, epochs=30,
                                 snapshots=(0, 30), grid=grid)
    assert result.train_acc[0, -1] > 0.95 and result.test_acc[0, -1] > 0.95
    assert result.train_loss[0, -1] < result.train_loss[0, 0]
    p = result.grid_probs[0, 1]
    assert p[0] > 0.9 and p[1] < 0.1   # the disc in the middle is class 1, the corner class 0


def test_dead_relu_units_are_counted():
    datasets = [mlp.playground_data("circles")]
    configs = [mlp.MLPConfig(0, 4, "relu", 10.0), mlp.MLPConfig(0, 4, "relu", 1.0), mlp.MLPConfig(0, 4, "tanh", 1.0)]
    result = mlp.train_mlp_batch(datasets, configs, depth=1, epochs=20)
    assert result.dead_fraction[0] == 1.0            # one step too large: every unit outputs 0 for every sample
    assert result.dead_fraction[1] < 1.0 and result.dead_fraction[2] == 0.0


def test_a_diverging_model_is_frozen_and_does_not_harm_the_others():
    datasets = [mlp.playground_data("xor")]
    configs = [mlp.MLPConfig(0, 16, "none", 10.0), mlp.MLPConfig(0, 16, "relu", 1.0)]
    result = mlp.train_mlp_batch(datasets, configs, depth=2, epochs=20)
    assert result.diverged_at[0] >= 1 and np.isnan(result.train_loss[0, -1]) and np.isnan(result.dead_fraction[0])
    assert result.diverged_at[1] == -1 and result.train_acc[1, -1] > 0.95
    alone = mlp.train_mlp_batch(datasets, configs[1:], depth=2, epochs=20)
    np.testing.assert_allclose(result.train_loss[1], alone.train_loss[0], rtol=1e-5)


def test_playground_runs_give_the_same_models_grouped_by_frame_or_by_depth():
    small = dict(kinds=("xor", "circles"), hidden=(2, 4), depths=(1,), activations=("relu", "none"),
                 learning_rates=(0.1, 10.0), epochs=6, snapshots=(0, 6), grid_size=8)
    by_model = mlp.PlaygroundRuns(**small, group="model")
    by_depth = mlp.PlaygroundRuns(**small, group="depth")
    for key in [("xor", 2, 1, "relu", 0.1), ("circles", 4, 1, "none", 10.0)]:
        a, b = by_model.get(*key), by_depth.get(*key)
        np.testing.assert_allclose(a.train_loss, b.train_loss, rtol=1e-4, atol=1e-6)
        assert a.diverged_at == b.diverged_at
    assert len(by_model.runs) == 4 and len(by_depth.runs) == 16   # trained on demand vs all at once
    assert by_model.probabilities(by_model.get("xor", 2, 1, "relu", 0.1), 6).shape == (8, 8)


# -- bad input -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda: mlp.activate("softplus", [1.0]),
    lambda: mlp.activate("relu", ["a"]),
    lambda: mlp.activate("relu", np.array([1 + 2j])),
    lambda: mlp.activation_derivative("ReLU", [1.0]),
    lambda: mlp.mlp_forward(np.zeros((3, 2)), [np.zeros((3, 4))], [np.zeros(4)]),        # rows ≠ inputs
    lambda: mlp.mlp_forward(np.zeros((3, 2)), [np.zeros((2, 4))], [np.zeros(3)]),        # bias length
    lambda: mlp.mlp_forward(np.zeros((3, 2)), [np.zeros((2, 4))], []),
    lambda: mlp.mlp_forward(np.zeros(3), [np.zeros((3, 4))], [np.zeros(4)]),
    lambda: mlp.mlp_forward(np.zeros((3, 2)), [np.zeros((2, 4)), np.zeros((3, 1))], [np.zeros(4), np.zeros(1)]),
    lambda: mlp.mlp_forward(np.zeros((3, 2)), [np.zeros((2, 4))], [np.zeros(4)], activation="gelu"),
    lambda: mlp.mlp_forward(np.zeros((3, 2)), "W", [np.zeros(4)]),
    lambda: mlp.collapse_linear([], []),
    lambda: mlp.relu_basis_fit([0, 1, 2], [0, 1, 0], 0),
    lambda: mlp.relu_basis_fit([0, 1, 2], [0, 1, 0], 3),
    lambda: mlp.relu_basis_fit([0, 1, 2], [0, 1], 1),
    lambda: mlp.relu_basis_fit([0, 1, float("nan")], [0, 1, 0], 1),
    lambda: mlp.tent_network(0),
    lambda: mlp.count_linear_pieces([0, 1], [0]),
    lambda: mlp.count_linear_pieces([1, 0], [0, 1]),
    lambda: mlp.playground_data("blobs"),
    lambda: mlp.playground_data("xor", n_train=0),
    lambda: mlp.init_mlp_weights(0, 1),
    lambda: mlp.train_mlp_batch([], [mlp.MLPConfig(0, 2, "relu", 0.1)], 1, 1),
    lambda: mlp.train_mlp_batch([mlp.playground_data("xor")], [mlp.MLPConfig(1, 2, "relu", 0.1)], 1, 1),
    lambda: mlp.train_mlp_batch([mlp.playground_data("xor")], [mlp.MLPConfig(0, 2, "relu", 0.0)], 1, 1),
    lambda: mlp.train_mlp_batch([mlp.playground_data("xor")], [mlp.MLPConfig(0, 2, "gelu", 0.1)], 1, 1),
    lambda: mlp.train_mlp_batch([mlp.playground_data("xor")], [mlp.MLPConfig(0, 0, "relu", 0.1)], 1, 1),
    lambda: mlp.train_mlp_batch([mlp.playground_data("xor")], [(0, 2, "relu", 0.1)], 1, 1),
    lambda: mlp.train_mlp_batch([mlp.playground_data("xor")], [mlp.MLPConfig(0, 2, "relu", 0.1, depth=3)], 2, 1),
    lambda: mlp.train_mlp_batch([mlp.playground_data("xor")], [mlp.MLPConfig(0, 2, "relu", 0.1)], 1, 1,
                                batch_size=500),
    lambda: mlp.train_mlp_batch([mlp.playground_data("xor")], [mlp.MLPConfig(0, 2, "relu", 0.1)], 1, 2,
                                snapshots=(3,)),
    lambda: mlp.train_mlp_batch([mlp.playground_data("xor"), mlp.playground_data("moons", n_train=50)],
                                [mlp.MLPConfig(0, 2, "relu", 0.1)], 1, 1),
    lambda: mlp.PlaygroundRuns(hidden=(2, 2)),
    lambda: mlp.PlaygroundRuns(snapshots=(0, 500)),
    lambda: mlp.PlaygroundRuns(group="all"),
    lambda: mlp.PlaygroundRuns(kinds=("xor",), hidden=(2,), depths=(1,), activations=("relu",),
                               learning_rates=(0.1,), epochs=2, snapshots=(2,)).get("xor", 3, 1, "relu", 0.1),
])
def test_bad_input_raises_bilingual_value_error(call, raises_bilingual):
    raises_bilingual(call)


def test_shallower_models_in_a_deeper_batch_train_as_they_would_alone():
    datasets = [mlp.playground_data("xor"), mlp.playground_data("circles")]
    configs = [mlp.MLPConfig(0, 4, "relu", 1.0, depth=1), mlp.MLPConfig(1, 16, "sigmoid", 0.1, depth=1),
               mlp.MLPConfig(1, 16, "sigmoid", 0.1, depth=2), mlp.MLPConfig(0, 2, "tanh", 0.3, depth=1)]
    merged = mlp.train_mlp_batch(datasets, configs, depth=2, epochs=4)
    for m, c in enumerate(configs):
        alone = mlp.train_mlp_batch(datasets, [mlp.MLPConfig(c.data, c.hidden, c.activation, c.lr)], c.depth, 4)
        np.testing.assert_allclose(merged.train_loss[m], alone.train_loss[0], rtol=1e-5, atol=1e-7)


def test_prefetch_trains_every_learning_rate_of_the_keys_in_one_go():
    runs = mlp.PlaygroundRuns(kinds=("xor", "circles"), hidden=(2, 4), depths=(1, 2), learning_rates=(0.1, 1.0),
                              epochs=3, snapshots=(0, 3), grid_size=6)
    runs.prefetch([("xor", 2, 1, "relu", 0.1), ("circles", 4, 2, "tanh", 1.0)])
    assert sorted(runs.runs) == sorted([("xor", 2, 1, "relu", 0.1), ("xor", 2, 1, "relu", 1.0),
                                        ("circles", 4, 2, "tanh", 0.1), ("circles", 4, 2, "tanh", 1.0)])
    alone = mlp.PlaygroundRuns(kinds=("xor", "circles"), hidden=(2, 4), depths=(1, 2), learning_rates=(0.1, 1.0),
                               epochs=3, snapshots=(0, 3), grid_size=6)
    np.testing.assert_allclose(runs.get("circles", 4, 2, "tanh", 1.0).train_loss,
                               alone.get("circles", 4, 2, "tanh", 1.0).train_loss, rtol=1e-5)


# -- figures ---------------------------------------------------------------------------------------------
from matplotlib.figure import Figure  # noqa: E402

from helpers.figures import mlp as figs  # noqa: E402
from helpers.interactive import InteractiveFigure, estimate_static_bytes  # noqa: E402


def test_static_figures_return_figures(rng):
    X = rng.normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(int)
    predict = lambda P: (P[:, 0] > 0).astype(int)  # noqa: E731
    row = [(predict, X, y, "a"), (predict, X, y, "b")]
    assert isinstance(figs.draw_region_grid([row, row], ["上", "下"], resolution=20), Figure)
    assert isinstance(figs.draw_mlp_network(3, 5, 2), Figure)
    assert isinstance(figs.draw_activations(), Figure)
    x = np.linspace(0, 1, 65)
    saw = np.abs(((4 * x) % 2) - 1)
    assert isinstance(figs.draw_depth_vs_width(x, saw, saw, {4: saw * 0.5}, 3), Figure)


@pytest.mark.parametrize("call", [
    lambda: figs.draw_region_grid([], []),
    lambda: figs.draw_region_grid([[(lambda P: P[:, 0] > 0, np.zeros((2, 2)), [0, 1], "a")]], ["a", "b"]),
    lambda: figs.draw_region_grid([[(lambda P: P[:, 0] > 0, np.zeros((2, 2)), [0, 2], "a")]], ["a"]),
    lambda: figs.draw_mlp_network(0, 3, 2),
    lambda: figs.draw_mlp_network(2, 9, 2),
    lambda: figs.draw_activations((1.0, -1.0)),
    lambda: figs.draw_depth_vs_width([0, 1], [0, 1], [0], {2: [0, 1]}, 2),
    lambda: figs.universal_approximation_explorer(np.sin, -1, 1, [], "sin"),
    lambda: figs.universal_approximation_explorer(np.sin, 1, -1, [2], "sin"),
    lambda: figs.universal_approximation_explorer("sin", -1, 1, [2], "sin"),
    lambda: figs.playground_explorer("runs"),
    lambda: figs.playground_explorer(mlp.PlaygroundRuns(), default={"colour": "red"}),
    lambda: estimate_static_bytes("figure"),
])
def test_figure_bad_input_raises_bilingual_value_error(call, raises_bilingual):
    raises_bilingual(call)


def test_universal_approximation_explorer_frames_state_the_error():
    fig = figs.universal_approximation_explorer(lambda x: np.sin(2 * x), -3, 3, [2, 8, 32], "sin 2x")
    assert isinstance(fig, InteractiveFigure) and fig.frame_count() == 1 + 3
    overlay = fig.layers[0].overlays[0]
    assert fig.errors[32] < fig.errors[8] < fig.errors[2]
    for h in (2, 8, 32):
        assert f"h = {h}：最大误差 {fig.errors[h]:.3f}" in fig.frame(overlay, h=h)
        assert fig.frame(overlay, h=h).count("<polyline") == h + 1   # h partial sums and the output


def _small_runs(**kwargs):
    options = dict(kinds=("xor", "circles"), hidden=(2, 16), depths=(1,), activations=("relu", "none"),
                   learning_rates=(0.1, 10.0), epochs=30, snapshots=(0, 30), grid_size=10)
    return mlp.PlaygroundRuns(**{**options, **kwargs})


def test_playground_frames_say_what_happened():
    fig = figs.playground_explorer(_small_runs(), default={"kind": "xor", "hidden": 16, "lr": 0.1})
    regions, curves, marker = fig.layers[0].overlays
    assert fig.frame_count() == 2 + 2 * 2 * 2 * 2 * 2 + 2 * 2 * 2 * 2 + 2 * 2
    learned = fig.frame(regions)
    run = fig.runs.get("xor", 16, 1, "relu", 0.1)
    assert "学会了" in learned and f"{run.test_acc[30]:.3f}" in learned and "<image" in learned
    assert "边界只能是直线" in fig.frame(regions, activation="none")
    diverged = fig.frame(regions, activation="none", lr=10.0)
    assert "训练发散" in diverged and "模型已发散" in diverged
    assert "✗ 发散" in fig.frame(curves, activation="none", lr=10.0)
    assert "随机的初始边界" in fig.frame(regions, epochs=0)
    assert fig.frame(marker, epochs=0) != fig.frame(marker, epochs=30)


def test_playground_status_covers_every_case():
    nan = np.full(3, np.nan)

    def run(loss, acc, diverged=-1):
        return mlp.PlaygroundRun(np.array(loss), np.array(loss), np.array(acc), np.array(acc), diverged,
                                 np.zeros((1, 4)))

    assert "发散" in figs.playground_status(run(nan, nan, diverged=1), 2, "relu")[0]
    assert "初始" in figs.playground_status(run([0.7, 0.5, 0.1], [0.5, 0.8, 1.0]), 0, "relu")[0]
    assert "不降反升" in figs.playground_status(run([0.7, 2.0, 3.0], [0.5, 0.5, 0.5]), 2, "relu")[0]
    assert "直线" in figs.playground_status(run([0.7, 0.6, 0.6], [0.5, 0.6, 0.6]), 2, "none")[0]
    assert "学会了" in figs.playground_status(run([0.7, 0.1, 0.01], [0.5, 0.9, 1.0]), 2, "tanh")[0]
    assert "瞎猜" in figs.playground_status(run([0.7, 0.69, 0.68], [0.5, 0.5, 0.52]), 2, "relu")[0]
    assert "没降" in figs.playground_status(run([0.7, 0.69, 0.68], [0.8, 0.8, 0.82]), 2, "relu")[0]
    assert "一部分" in figs.playground_status(run([0.7, 0.5, 0.4], [0.5, 0.7, 0.8]), 2, "relu")[0]


def test_playground_live_widget_moves_and_the_page_estimate_is_on_the_heavy_side():
    import json
    import os

    import ipywidgets as widgets

    fig = figs.playground_explorer(_small_runs(kinds=("xor",), hidden=(2,), activations=("relu",)))
    box = fig.widget()
    sliders = [w for w in box.children[1].children if isinstance(w, widgets.SelectionSlider)]
    assert [s.description for s in sliders] == ["学习率 η（对数刻度）", "训练轮数"]
    regions = fig.layers[0].overlays[0]
    sliders[1].index = 0   # epochs 30 -> 0: the live widget redraws the regions
    assert fig.frame(regions, epochs=0) in [w.value for w in _html_leaves(box)]
    estimate = estimate_static_bytes(fig)
    fig.render_all()
    from ipywidgets.embed import dependency_state, embed_data

    from helpers.interactive import STATIC_ENV

    os.environ[STATIC_ENV] = "1"
    try:
        fig._widget = None   # noqa: SLF001 - the same figure, built for the static page
        static = fig.widget()
        # The book stores every attribute of every widget, also those at their defaults.
        state = embed_data(views=[static], drop_defaults=False,
                           state=dependency_state([static], drop_defaults=False))["manager_state"]
    finally:
        del os.environ[STATIC_ENV]
    actual = len(json.dumps(state))
    assert 0.9 * actual < estimate < 1.5 * actual   # close, rather on the heavy side


def _html_leaves(widget):
    import ipywidgets as widgets

    out = [widget] if isinstance(widget, widgets.HTML) else []
    for child in getattr(widget, "children", ()):
        out.extend(_html_leaves(child))
    return out


# -- exercise checkers -------------------------------------------------------------------------------
from helpers.exercises import mlp as ex  # noqa: E402


def _relu_float_for_one_number(z):
    """A Python float for one number, an array otherwise."""
    return float(max(z, 0.0)) if np.ndim(z) == 0 else np.maximum(z, 0.0)


@pytest.mark.parametrize("right", [
    lambda z: np.maximum(z, 0),
    _relu_float_for_one_number,
    lambda z: np.maximum(z, 0.0).astype(np.float32),
    lambda z: z * (z > 0),
    lambda z: np.where(z > 0, z, 0.0),
    lambda z: torch.relu(torch.as_tensor(z, dtype=torch.float64)),
    lambda z: torch.as_tensor(z, dtype=torch.float64).requires_grad_(True).clamp(min=0),
])
def test_check_relu_accepts_right_answers(right):
    assert ex.check_relu(right, strict=True)


def _relu_in_place(z):
    z[z < 0] = 0
    return z


@pytest.mark.parametrize("wrong", [
    np.abs,                                          # absolute value
    lambda z: np.where(z > 0, z, 0.01 * z),          # Leaky ReLU
    lambda z: np.clip(z, 0, 1),                      # clipped at 1
    lambda z: np.max(z, 0),                          # max along an axis, not element-wise
    lambda z: 1 / (1 + np.exp(-z)),                  # sigmoid
    lambda z: (z > 0).astype(float),                 # the derivative
    _relu_in_place,                                  # changes its input
    lambda z: None,                                  # forgot return
])
def test_check_relu_rejects_near_misses(wrong):
    assert not ex.check_relu(wrong)


@pytest.mark.parametrize("right", [
    lambda z: (np.asarray(z) > 0).astype(float),
    lambda z: np.asarray(z) > 0,                     # a mask counts as 0 / 1
    lambda z: np.heaviside(z, 0.0),
    lambda z: (torch.as_tensor(z) > 0).double(),
    lambda z: np.where(np.asarray(z) > 0, 1.0, 0.0).astype(np.float32),
])
def test_check_relu_grad_accepts_right_answers(right):
    assert ex.check_relu_grad(right, strict=True)


@pytest.mark.parametrize("wrong", [
    lambda z: (np.asarray(z) >= 0).astype(float),    # 1 at z = 0
    lambda z: np.heaviside(z, 0.5),                  # 1/2 at z = 0
    lambda z: np.maximum(z, 0),                      # ReLU itself
    np.sign,
    lambda z: np.ones_like(z, dtype=float),
])
def test_check_relu_grad_rejects_near_misses(wrong):
    assert not ex.check_relu_grad(wrong)


def _forward_torch(X, W1, b1, W2, b2):
    t = [torch.as_tensor(a, dtype=torch.float32) for a in (X, W1, b1, W2, b2)]
    return torch.relu(t[0] @ t[1] + t[2]) @ t[3] + t[4]


@pytest.mark.parametrize("right", [
    lambda X, W1, b1, W2, b2: np.maximum(X @ W1 + b1, 0) @ W2 + b2,
    _forward_torch,
    lambda X, W1, b1, W2, b2: mlp.mlp_forward(X, [W1, W2], [b1, b2]),
])
def test_check_mlp_forward_accepts_right_answers(right):
    assert ex.check_mlp_forward(right, strict=True)


@pytest.mark.parametrize("wrong", [
    lambda X, W1, b1, W2, b2: (X @ W1 + b1) @ W2 + b2,                              # no activation
    lambda X, W1, b1, W2, b2: np.maximum(np.maximum(X @ W1 + b1, 0) @ W2 + b2, 0),  # ReLU on O too
    lambda X, W1, b1, W2, b2: np.maximum(X @ W1.T + b1, 0) @ W2.T + b2,             # transposed weights
    lambda X, W1, b1, W2, b2: np.maximum(X @ W1, 0) @ W2 + b2,                      # no b1
    lambda X, W1, b1, W2, b2: np.maximum(X @ W1 + b1, 0) @ W2,                      # no b2
    lambda X, W1, b1, W2, b2: np.tanh(X @ W1 + b1) @ W2 + b2,                       # another activation
    lambda X, W1, b1, W2, b2: np.maximum(X @ W1 + b1, 0) @ (W2 + b2),               # bias in the wrong place
])
def test_check_mlp_forward_rejects_near_misses(wrong):
    assert not ex.check_mlp_forward(wrong)


@pytest.mark.parametrize("right", [
    lambda W1, b1, W2, b2: (W1 @ W2, b1 @ W2 + b2),
    lambda W1, b1, W2, b2: [torch.tensor(W1) @ torch.tensor(W2), torch.tensor(b1) @ torch.tensor(W2) + torch.tensor(b2)],
    lambda W1, b1, W2, b2: tuple(t.numpy() for t in mlp.collapse_linear([W1, W2], [b1, b2])),
])
def test_check_collapse_accepts_right_answers(right):
    assert ex.check_collapse(right, strict=True)


@pytest.mark.parametrize("wrong", [
    lambda W1, b1, W2, b2: (W1 @ W2, b1 + b2),            # b1 not carried through W2
    lambda W1, b1, W2, b2: (W1 @ W2, b2),                 # b1 forgotten
    lambda W1, b1, W2, b2: (W2.T @ W1.T, b1 @ W2 + b2),   # the transpose
    lambda W1, b1, W2, b2: (W1 * W2.sum(), b1 @ W2 + b2) if W1.shape == W2.shape else (W2 @ W1, b2),
    lambda W1, b1, W2, b2: W1 @ W2,                       # only W
])
def test_check_collapse_rejects_near_misses(wrong):
    assert not ex.check_collapse(wrong)
