"""Helpers for 《机器学习入门：交互式教程》.

Shared plumbing:
    plotting      the book's figure style (Chinese font from zhplot, palette), fig_to_png
    interactive   Control, InteractiveFigure: live in a kernel, every frame stored for the HTML book
    validation    input checks that raise Chinese/English errors
    tables        html_table: small result tables that render in JupyterLab and the book
    glue          glue: a computed value pasted into the prose (myst-nb's, without its import cost)

Shared by several chapters:
    data             load_digits_split, make_2d_dataset
    training         default_device, accuracy, train_classifier
    figures.common   draw_confusion_matrix, draw_training_curves, draw_decision_regions, digit images

Per chapter topic (``<topic>`` = intro, knn, linear_regression, softmax, ...):
    <topic>               reusable computations of that chapter, with input checks
    figures.<topic>       its drawings and interactive figures
    exercises.<topic>     its exercise checkers
"""

__version__ = "0.1.0"
