"""A running comparison of the book's classifiers on the digits split (introduced in chapter 4).

    ModelReport        one row of the comparison: accuracy, numbers stored, time per prediction
    measure_model      test accuracy and median time per prediction of any ``predict`` function
    measure_torch_model  the same for a trained PyTorch classifier (chapters 5 and 6)
    comparison_table   the rows as an HTML table (``helpers.tables.html_table``)
    fit_baselines      scikit-learn's nearest centroid and KNN fitted on a digits split
    digits_baselines   the same two, measured on its test set
    *_numbers          how many numbers nearest centroid, KNN and a linear layer keep

Chapter 4 compares nearest centroid, KNN and softmax regression; chapters 5 and 6 extend the
table with the multilayer perceptron and the convolutional network: they call
``digits_baselines(split)`` (well under a second), measure their own model with
``measure_torch_model`` and show ``comparison_table(baselines + [their_report])``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from numbers import Real
from typing import Any, Callable, Sequence

import numpy as np
from IPython.display import HTML

from .tables import html_table
from .timing import call_times
from .validation import (as_class_labels, as_float_matrix, check_choice, check_k, check_module,
                         check_positive_int, to_numpy)

#: The two kinds of model of chapter 1's table: a fixed set of parameters, or the training data itself.
KINDS: tuple[str, ...] = ("参数化", "非参数化")


@dataclass(frozen=True)
class ModelReport:
    """Chapter 4: one model of the running comparison.

    ``n_numbers`` is how many numbers the model must keep to predict (its parameters, or
    for KNN the training samples and their labels); ``seconds_per_prediction`` is the
    median time of one prediction over the whole test set, divided by its size.
    """

    name: str
    kind: str
    accuracy: float
    n_numbers: int
    seconds_per_prediction: float

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"name 必须是非空字符串 (name must be a non-empty string), got {self.name!r}")
        check_choice(self.kind, "kind", KINDS)
        if not _is_number(self.accuracy) or not 0 <= float(self.accuracy) <= 1:
            raise ValueError(f"accuracy 必须在 0 到 1 之间 (accuracy must lie in [0, 1]), got {self.accuracy!r}")
        check_positive_int(self.n_numbers, "n_numbers")
        if not _is_number(self.seconds_per_prediction) or not 0 < float(self.seconds_per_prediction) < np.inf:
            raise ValueError(
                "seconds_per_prediction 必须是正数 (seconds_per_prediction must be a positive number), "
                f"got {self.seconds_per_prediction!r}"
            )

    @property
    def microseconds_per_prediction(self) -> float:
        """The time of one prediction in microseconds (μs), as the table shows it."""
        return self.seconds_per_prediction * 1e6


def _is_number(value: Any) -> bool:
    return isinstance(value, (Real, np.floating, np.integer)) and not isinstance(value, (bool, np.bool_))


def _n_samples(X_test: Any) -> int:
    """The number of test samples (first dimension) of an array or tensor; ValueError if there are none."""
    shape = getattr(X_test, "shape", None)
    if shape is None:
        shape = np.shape(X_test)
    if len(shape) < 2 or shape[0] == 0:
        raise ValueError(
            "X_test 必须是非空的样本数组（第一维是样本） (X_test must be a non-empty array of samples, "
            f"one per row), got shape {tuple(shape)}"
        )
    return int(shape[0])


def measure_model(name: str, kind: str, predict: Callable[[Any], Any], X_test: Any, y_test: Any,
                  n_numbers: int, repeats: int = 5) -> ModelReport:
    """Chapter 4: accuracy of ``predict(X_test)`` and its median time per sample over ``repeats`` runs.

    ``predict`` receives ``X_test`` as given (a NumPy array for scikit-learn, a tensor on the
    model's device for PyTorch) and returns one class index per sample. Each run times the
    whole test set, up to the labels as a NumPy array (so a GPU's work is finished); a first,
    untimed run gives the predictions and warms up caches and lazy initialisation.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name 必须是非空字符串 (name must be a non-empty string), got {name!r}")
    if not callable(predict):
        raise ValueError(f"predict 必须是函数 (predict must be callable), got {type(predict).__name__}")
    n = _n_samples(X_test)
    y = as_class_labels(y_test, "y_test", length=n)
    repeats = check_positive_int(repeats, "repeats")
    n_numbers = check_positive_int(n_numbers, "n_numbers")
    check_choice(kind, "kind", KINDS)

    from threadpoolctl import threadpool_limits

    # One thread for every model (the chapters also call torch.set_num_threads(1)): the numbers
    # compare like with like, and a second process busy on the machine disturbs them less.
    with threadpool_limits(limits=1):
        predictions, seconds = _time_predictions(predict, X_test, repeats)
    if predictions.ndim != 1 or predictions.shape[0] != n:
        raise ValueError(
            f"predict 必须为 {n} 个测试样本各返回一个类别编号 (predict must return one class index for "
            f"each of the {n} test samples), got shape {predictions.shape}"
        )
    predictions = as_class_labels(predictions, "predict(X_test)")
    return ModelReport(name, kind, float(np.mean(predictions == y)), n_numbers, seconds / n)


def measure_torch_model(name: str, model: Any, X_test: Any, y_test: Any,
                        repeats: int = 5) -> ModelReport:
    """Chapters 5 and 6: ``measure_model`` for a trained PyTorch classifier (a parametric model).

    The model is put in evaluation mode and predicts the class of largest logit without
    recording gradients; ``X_test`` is a tensor on the model's device, shaped as the model
    expects. The numbers it keeps are its parameters.
    """
    import torch

    check_module(model).eval()

    def predict(X: Any) -> np.ndarray:
        with torch.no_grad():
            return model(X).argmax(dim=1).cpu().numpy()

    return measure_model(name, "参数化", predict, X_test, y_test, count_parameters(model), repeats)


def _time_predictions(predict: Callable[[Any], Any], X_test: Any, repeats: int) -> tuple[np.ndarray, float]:
    """The predictions of a first, untimed call, and the median time of ``repeats`` more calls."""
    predictions = to_numpy(predict(X_test))
    times = call_times(lambda: to_numpy(predict(X_test)), repeats)
    # The median, not the mean: one run slowed down by another process does not move it.
    return predictions, max(float(np.median(times)), 1e-12)


def comparison_table(reports: Sequence[ModelReport], caption: str | None = None) -> HTML:
    """Chapter 4: the reports as an HTML table (model, kind, accuracy, numbers stored, μs per sample)."""
    reports = list(reports) if not isinstance(reports, ModelReport) else [reports]
    if not reports:
        raise ValueError("reports 不能为空 (reports must not be empty)")
    bad = [r for r in reports if not isinstance(r, ModelReport)]
    if bad:
        raise ValueError(
            f"reports 里只能是 ModelReport (reports must hold ModelReport objects), got {type(bad[0]).__name__}"
        )
    header = ["模型", "类型", "测试集准确率", "保存的数（个）", "每个样本的预测时间（μs）"]
    rows = [[r.name, r.kind, f"{r.accuracy:.3f}", f"{r.n_numbers:,}", f"{r.microseconds_per_prediction:.2f}"]
            for r in reports]
    return html_table(header, rows, caption=caption)


def nearest_centroid_numbers(n_classes: int, n_features: int) -> int:
    """Chapter 4: numbers nearest centroid keeps, one mean per class: q·d."""
    return check_positive_int(n_classes, "n_classes") * check_positive_int(n_features, "n_features")


def knn_numbers(n_train: int, n_features: int) -> int:
    """Chapter 4: numbers KNN keeps, every training sample and its label: n·d + n."""
    n_train = check_positive_int(n_train, "n_train")
    return n_train * check_positive_int(n_features, "n_features") + n_train


def linear_numbers(n_features: int, n_classes: int, bias: bool = True) -> int:
    """Chapter 4: numbers of a linear layer (softmax regression, ``nn.Linear(d, q)``), W and b: d·q + q."""
    n_classes = check_positive_int(n_classes, "n_classes")
    return check_positive_int(n_features, "n_features") * n_classes + (n_classes if bias else 0)


def count_parameters(model: Any) -> int:
    """Chapters 5, 6 and 8: how many numbers the optimizer can change in a torch model (each
    parameter once, so a shared layer counts once; buffers such as BatchNorm's running means are
    not parameters)."""
    return sum(p.numel() for p in check_module(model).parameters())


def _unpack_split(split: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """X_train, X_test (float32) and y_train, y_test (int64) of a digits split, checked."""
    try:
        X_train, X_test, y_train, y_test = split
    except (TypeError, ValueError):
        raise ValueError(
            "split 必须是 (X_train, X_test, y_train, y_test)，例如 load_digits_split() 的结果 "
            "(split must be X_train, X_test, y_train, y_test, e.g. load_digits_split())"
        ) from None
    X_train = as_float_matrix(X_train, "X_train").astype(np.float32)
    X_test = as_float_matrix(X_test, "X_test").astype(np.float32)
    if X_train.shape[1] != X_test.shape[1]:
        raise ValueError(
            f"X_train 有 {X_train.shape[1]} 个特征，X_test 有 {X_test.shape[1]} 个，必须相同 "
            f"(X_train has {X_train.shape[1]} features but X_test has {X_test.shape[1]}; they must match)"
        )
    y_train = as_class_labels(y_train, "y_train", length=X_train.shape[0])
    y_test = as_class_labels(y_test, "y_test", length=X_test.shape[0])
    return X_train, X_test, y_train, y_test


def fit_baselines(split: Any, k: int = 3) -> tuple[Any, Any]:
    """Chapter 4: scikit-learn's ``NearestCentroid`` and ``KNeighborsClassifier(k)`` fitted on ``split``."""
    from sklearn.neighbors import KNeighborsClassifier, NearestCentroid

    X_train, _, y_train, _ = _unpack_split(split)
    k = check_k(k, X_train.shape[0])
    with warnings.catch_warnings():
        # Some pixels are 0 in every image of a class: their within-class spread is 0, which
        # NearestCentroid warns about; it only matters for its optional shrinkage, not used here.
        warnings.filterwarnings("ignore", message=".*zero standard deviation", category=UserWarning)
        centroid = NearestCentroid().fit(X_train, y_train)
    return centroid, KNeighborsClassifier(n_neighbors=k).fit(X_train, y_train)


def digits_baselines(split: Any, k: int = 3, repeats: int = 5) -> list[ModelReport]:
    """Chapter 4: nearest centroid and KNN (K = ``k``) fitted on ``split`` and measured on its test set.

    ``split`` is ``helpers.data.load_digits_split()`` (or any X_train, X_test, y_train, y_test).
    Both models are scikit-learn's (``fit_baselines``); the whole call takes a fraction of a
    second, so that later chapters can rebuild the comparison with their own model added.
    """
    X_train, X_test, _, y_test = _unpack_split(split)
    centroid, knn = fit_baselines(split, k)
    n_train, d = X_train.shape
    return [
        measure_model("最近质心", "参数化", centroid.predict, X_test, y_test,
                      nearest_centroid_numbers(len(centroid.classes_), d), repeats),
        measure_model(f"KNN（K = {knn.n_neighbors}）", "非参数化", knn.predict, X_test, y_test,
                      knn_numbers(n_train, d), repeats),
    ]
