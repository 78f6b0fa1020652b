"""Chapter 2: K-nearest neighbours (KNN), checked and deterministic.

This is the KNN that chapter 2 builds step by step, collected in one place with
input checks, so that the chapter's interactive figures and exercise checkers
use exactly the algorithm the chapter teaches:

* notation (the book's): n training samples with d features, X_train of shape (n, d);
  m query points, X_query of shape (m, d); q classes; K neighbours;
* distances: Euclidean sqrt(sum_j (a_j - b_j)^2) or Manhattan sum_j |a_j - b_j|, j = 1..d,
  computed exactly;
* neighbours: the K smallest distances, ties between equal distances broken by
  the order of the training samples (a stable sort), so results never depend on
  how a library breaks ties;
* classification: majority vote, a tie between classes goes to the smallest
  class label (the rule scikit-learn uses too);
* regression: the mean of the K neighbours' labels (real numbers).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .validation import (
    as_class_labels,
    as_float_matrix,
    as_vector,
    check_choice,
    check_k,
    check_positive_int,
    check_same_width,
    to_numpy,
)

METRICS: tuple[str, ...] = ("euclidean", "manhattan")


def _matrices(X_train: Any, X_query: Any) -> tuple[torch.Tensor, torch.Tensor]:
    train = as_float_matrix(X_train, "X_train")
    query = as_float_matrix(X_query, "X_query")
    check_same_width(train, query, "X_train", "X_query")
    return torch.as_tensor(train), torch.as_tensor(query)


def pairwise_distances(X_query: Any, X_train: Any, metric: str = "euclidean") -> torch.Tensor:
    """Distances between every query row (m of them) and every training row (n), shape (m, n)."""
    check_choice(metric, "metric", METRICS)
    train, query = _matrices(X_train, X_query)
    if metric == "euclidean":
        # The exact formula, not the faster |a|^2 - 2ab + |b|^2 shortcut whose rounding
        # errors could reorder neighbours at equal distances.
        return torch.cdist(query, train, p=2.0, compute_mode="donot_use_mm_for_euclid_dist")
    return torch.cdist(query, train, p=1.0)


def nearest_neighbors(X_train: Any, X_query: Any, k: int,
                      metric: str = "euclidean") -> tuple[torch.Tensor, torch.Tensor]:
    """Distances and indices of the k nearest training samples of each query, nearest first: (m, k) each."""
    distances = pairwise_distances(X_query, X_train, metric)
    k = check_k(k, distances.shape[1])
    # A stable sort keeps equal distances in training order: a deterministic tie-break.
    sorted_d, order = torch.sort(distances, dim=1, stable=True)
    return sorted_d[:, :k], order[:, :k]


def majority_vote(neighbor_labels: Any) -> np.ndarray:
    """Most common label in each row of an (m, K) array (or one row of K); a tie goes to the smallest label."""
    labels = to_numpy(neighbor_labels)
    if labels.ndim == 1:
        labels = labels[None, :]
    if labels.ndim != 2 or labels.shape[1] == 0:
        raise ValueError(
            f"neighbor_labels 必须是 (查询点数, K) 的非空数组 (neighbor_labels must be a non-empty "
            f"(queries, K) array), got shape {labels.shape}"
        )
    labels = as_class_labels(labels.ravel(), "neighbor_labels").reshape(labels.shape)
    # Count the classes present, not 0..max label: a label of 10**6 must not cost 10**6 counters.
    classes, codes = np.unique(labels, return_inverse=True)
    counts = np.zeros((labels.shape[0], len(classes)), dtype=np.int64)
    np.add.at(counts, (np.arange(labels.shape[0])[:, None], codes.reshape(labels.shape)), 1)
    # argmax returns the first maximum; classes are sorted, so a tie goes to the smallest label.
    return classes[counts.argmax(axis=1)]


def knn_predict(X_train: Any, y_train: Any, X_query: Any, k: int,
                metric: str = "euclidean") -> np.ndarray:
    """Chapter 2: predicted class of each query row by a majority vote of its k neighbours, shape (m,)."""
    train = as_float_matrix(X_train, "X_train")
    labels = as_class_labels(y_train, "y_train", length=train.shape[0])
    _, index = nearest_neighbors(train, X_query, k, metric)
    return majority_vote(labels[index.numpy()])


def knn_regress(X_train: Any, y_train: Any, X_query: Any, k: int,
                metric: str = "euclidean") -> np.ndarray:
    """Chapter 2: prediction of each query row as the mean label of its k neighbours, shape (m,)."""
    train = as_float_matrix(X_train, "X_train")
    targets = torch.as_tensor(as_vector(y_train, "y_train", length=train.shape[0]).astype(np.float64))
    _, index = nearest_neighbors(train, X_query, k, metric)
    return targets[index].mean(dim=1).numpy()


def vote_counts(neighbor_labels: Any, n_classes: int) -> np.ndarray:
    """How many of the neighbours belong to each of the q = n_classes classes, shape (q,) or (m, q)."""
    n_classes = check_positive_int(n_classes, "n_classes")
    labels = to_numpy(neighbor_labels)
    if labels.ndim not in (1, 2) or labels.size == 0:
        raise ValueError(
            f"neighbor_labels 必须是非空的一维或二维数组 (neighbor_labels must be a non-empty 1-D or 2-D "
            f"array), got shape {labels.shape}"
        )
    labels = as_class_labels(labels.ravel(), "neighbor_labels", n_classes=n_classes).reshape(labels.shape)
    return np.apply_along_axis(np.bincount, -1, labels, minlength=n_classes)


def wolf_pack_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chapter 2's story: paw prints of packs A (label 0) and B (label 1), and a new paw print.

    Built so that the answer changes with K: the nearest print belongs to B, the next
    two to A, the two after that to B again.
    """
    pack_a = [(-1.2, 0.5), (-1.12, 0.84), (-2.5, 1.2), (-2.2, 2.0), (-3.0, 0.3), (-1.8, 2.6), (-2.9, 1.9)]
    pack_b = [(0.8, -0.6), (1.44, -1.08), (1.9, 0.0), (2.6, -1.5), (2.2, -2.2), (3.0, -0.6), (2.8, 0.8)]
    X = np.array(pack_a + pack_b, dtype=np.float64)
    y = np.array([0] * len(pack_a) + [1] * len(pack_b))
    new_print = np.array([0.0, 0.0])
    return X, y, new_print
