"""helpers.training: device choice, accuracy and the shared training loop."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from helpers.training import HISTORY_KEYS, accuracy, default_device, train_classifier


def test_default_device():
    assert default_device() == ("cuda" if torch.cuda.is_available() else "cpu")


def test_accuracy_takes_the_largest_logit():
    logits = torch.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [5.0, 0.0, 9.0], [1.0, 0.0, 0.0]])
    assert accuracy(logits, torch.tensor([0, 1, 2, 2])) == pytest.approx(0.75)
    assert accuracy(logits.numpy(), np.array([0, 1, 2, 0])) == 1.0


@pytest.mark.parametrize("logits, labels", [
    (np.zeros(3), np.zeros(3, dtype=int)),            # 1-D logits
    (np.zeros((0, 3)), np.zeros(0, dtype=int)),       # empty
    (np.zeros((2, 3)), np.zeros(3, dtype=int)),       # one label too many
    (np.zeros((2, 3)), np.zeros(2)),                  # float labels
    (np.zeros((2, 3)), np.array([0, -1])),            # negative label
    (np.zeros((2, 3)), np.array([0, 3])),             # no such class
    (np.zeros((2, 3)), np.array([0, None])),          # None
    (np.zeros((2, 3)), np.array(["0", "1"])),         # strings
    (np.zeros((2, 3), dtype=complex), np.array([0, 1])),
    (torch.zeros((2, 3), dtype=torch.complex64), np.array([0, 1])),
    (np.array([[0.0, np.nan, 1.0], [0.0, 1.0, 2.0]]), np.array([0, 1])),
    (np.array([[0.0, 1.0, None]]), np.array([0])),
])
def test_accuracy_rejects_bad_input(logits, labels, raises_bilingual):
    raises_bilingual(accuracy, logits, labels)


@pytest.mark.parametrize("logits, labels", [
    ([[2.0, 1.0], [0.0, 3.0]], [0, 0]), (np.array([[2, 1], [0, 3]]), np.array([0, 0], dtype=np.int32)),
    (np.array([[2, 1], [0, 3]], dtype=np.float32), np.array([0, 0], dtype=np.uint8)),
    (torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([0, 0])),
])
def test_accuracy_accepts_every_usual_type(logits, labels):
    assert accuracy(logits, labels) == 0.5


def _setup(seed: int = 0):
    torch.manual_seed(seed)
    model = nn.Linear(64, 10)
    return model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.5)


@pytest.fixture(scope="module")
def digits_tensors(digits):
    """The shared digits split as tensors: X_train, X_test, y_train, y_test."""
    return tuple(torch.as_tensor(a) for a in digits)


def test_train_classifier_learns_digits_and_reports_every_epoch(digits_tensors):
    X_train, X_test, y_train, y_test = digits_tensors
    model, loss_fn, optimizer = _setup()
    history = train_classifier(model, loss_fn, optimizer, X_train, y_train, X_test, y_test,
                               epochs=5, batch_size=32, seed=1)
    assert tuple(history) == HISTORY_KEYS and all(len(v) == 5 for v in history.values())
    assert history["train_loss"][-1] < history["train_loss"][0] < np.log(10)
    assert history["test_acc"][-1] > 0.9
    with torch.no_grad():
        assert history["test_acc"][-1] == accuracy(model(X_test), y_test)
        assert history["train_loss"][-1] == pytest.approx(loss_fn(model(X_train), y_train).item())


def test_train_classifier_is_the_chapters_loop(digits_tensors):
    """Same batches as a hand-written loop whose generator has the same seed: the same parameters."""
    X_train, X_test, y_train, y_test = digits_tensors
    model, loss_fn, optimizer = _setup()
    train_classifier(model, loss_fn, optimizer, X_train.numpy(), y_train.numpy(), X_test, y_test,
                     epochs=2, batch_size=100, seed=7)
    twin, twin_loss, twin_optimizer = _setup()
    generator = torch.Generator().manual_seed(7)
    for _ in range(2):
        order = torch.randperm(len(y_train), generator=generator)
        for i in range(0, len(order), 100):
            idx = order[i:i + 100]
            loss = twin_loss(twin(X_train[idx]), y_train[idx])
            twin_optimizer.zero_grad()
            loss.backward()
            twin_optimizer.step()
    torch.testing.assert_close(model.weight, twin.weight)
    torch.testing.assert_close(model.bias, twin.bias)


def test_train_classifier_is_deterministic_and_puts_the_model_back_in_eval_mode(digits_tensors):
    X_train, X_test, y_train, y_test = (a[:200] for a in digits_tensors)
    runs = []
    for _ in range(2):
        model, loss_fn, optimizer = _setup()
        model = nn.Sequential(model, nn.Dropout(0.1))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
        runs.append(train_classifier(model, loss_fn, optimizer, X_train, y_train, X_test, y_test,
                                     epochs=2, batch_size=50, seed=3))
        assert not model.training
    # Dropout draws from torch's global generator, re-seeded by _setup: the runs agree.
    assert runs[0] == runs[1]


@pytest.mark.parametrize("change", [
    dict(epochs=0),
    dict(epochs=1.5),
    dict(batch_size=0),
    dict(batch_size=2000),
    dict(seed=-1),
    dict(model="not a model"),
    dict(optimizer="sgd"),
    dict(loss_fn=3),
    dict(y_train=np.zeros(5, dtype=int)),
    dict(y_train=np.zeros(1347)),
    dict(X_test=np.zeros(450)),
    dict(y_train=-torch.ones(1347, dtype=torch.int64)),
    dict(X_train=np.zeros((1347, 64), dtype=complex)),
    dict(X_test=np.full((450, 64), None)),
    dict(y_test=torch.full((450,), 10)),                  # nn.Linear(64, 10) has no class 10
])
def test_train_classifier_rejects_bad_input(digits_tensors, change, raises_bilingual):
    X_train, X_test, y_train, y_test = digits_tensors
    model, loss_fn, optimizer = _setup()
    args = dict(model=model, loss_fn=loss_fn, optimizer=optimizer, X_train=X_train, y_train=y_train,
                X_test=X_test, y_test=y_test, epochs=1, batch_size=32) | change
    raises_bilingual(train_classifier, **args)


def test_model_without_parameters_is_rejected(digits_tensors):
    X_train, X_test, y_train, y_test = digits_tensors
    linear = nn.Linear(64, 10)
    with pytest.raises(ValueError, match="没有可训练的参数"):
        train_classifier(nn.Identity(), nn.CrossEntropyLoss(), torch.optim.SGD(linear.parameters(), lr=0.1),
                         X_train, y_train, X_test, y_test, epochs=1, batch_size=32)
