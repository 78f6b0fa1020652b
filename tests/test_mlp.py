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


def test_a_diverging_model_is_frozen_and_does_not_harm_the_others():
    datasets = [mlp.playground_data("xor")]
    configs = [mlp.MLPConfig(0, 16, "none", 10.0), mlp.MLPConfig(0, 16, "relu", 1.0)]
    result = mlp.train_mlp_batch(datasets, configs, depth=2, epochs=20)
    assert result.diverged_at[0] >= 1 and np.isnan(result.train_loss[0, -1])
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
