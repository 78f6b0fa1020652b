"""Write the search dictionary book/_search/terms.txt: the book's terms, for Chinese search.

Sphinx splits Chinese text into words with jieba (sphinx/search/zh.py). jieba's own
dictionary does not know terms such as 过拟合 or 欧氏距离 and cuts them into pieces, so
searching for the whole term found nothing. _config.yml passes this file to jieba as a user
dictionary (html_search_options: dict), one "term frequency" a line.

The terms are the chapters' first-use pairs, a bold Chinese term followed by its English name,
"**过拟合**（overfitting）", plus the hand list below (terms the prose uses without such a pair).
A term that contains another term of four or more characters is left out (随机梯度下降 contains
梯度下降): jieba would keep it whole, and its search mode adds only the two- and three-character
words inside a word, so 梯度下降 would not be indexed there. A query such as 随机梯度下降 still
finds those pages: book/_assets/mlbook/search-zh.js cuts it into the indexed words 随机 + 梯度下降.

Usage: python scripts/search_terms.py            (rewrite the file)
       python scripts/search_terms.py --check    (exit 1 if the file is out of date)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DICTIONARY = ROOT / "book" / "_search" / "terms.txt"
# Enough for jieba to keep a listed term whole rather than cut it into everyday words, without
# outranking those words elsewhere (tests/test_search_terms.py checks every chapter line).
FREQUENCY = 2000

HAND_LIST = """
交叉熵 交叉熵损失 欧氏距离 曼哈顿距离 学习率 过拟合 欠拟合 混淆矩阵 精确率 召回率 准确率
决策边界 决策区域 标准化 数据泄露 数据泄漏 特征工程 监督学习 无监督学习 损失函数 梯度下降
小批量 随机梯度下降 小批量随机梯度下降 解析解 正规方程 独热编码 数值稳定 多层感知机
卷积神经网络 反向传播 前向传播 最近邻 多数投票 特征空间 验证集 交叉验证 超参数 训练集 测试集
非参数化模型 参数化模型 最近质心 线性回归 逻辑回归 均方误差 平均绝对误差 决定系数 平方损失
条件数 批量大小 全连接层 单层神经网络 自动求导 最小二乘 硬类别 软类别 负对数似然 最大似然估计
上溢 下溢 簇内平方和 特征选择 数据预处理 模型评估 特征矩阵 真正例 假正例 假负例 真负例
鸢尾花数据集 葡萄酒数据集 糖尿病数据集 乳腺癌数据集 手写数字 向量化 流水线
""".split()

# "**过拟合**（overfitting）": a bold term that contains a Chinese character, then its English name.
FIRST_USE = re.compile(r"\*\*([^*（）]*[\u4e00-\u9fff][^*（）]*)\*\*（[A-Za-z]")


def book_text() -> str:
    """The Markdown of the front page and of every chapter's Markdown cells."""
    parts = [(ROOT / "book" / "index.md").read_text(encoding="utf-8")]
    for path in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        parts += ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    return "\n".join(parts)


def terms() -> list[str]:
    """The hand list, then the first-use terms it lacks; jieba cannot match a term with a space."""
    found = [t.strip() for t in FIRST_USE.findall(book_text())]
    # A one-character term (熵, 簇, 轮) is a single character to the search already.
    candidates = list(dict.fromkeys(HAND_LIST + [t for t in found if " " not in t and len(t) > 1]))
    return [t for t in candidates
            if not any(len(other) >= 4 and other != t and other in t for other in candidates)]


def dictionary_text() -> str:
    return "".join(f"{term} {FREQUENCY}\n" for term in terms())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the file is out of date")
    args = parser.parse_args()
    text = dictionary_text()
    current = DICTIONARY.read_text(encoding="utf-8") if DICTIONARY.exists() else None
    if args.check:
        if current != text:
            print(f"out of date: {DICTIONARY.relative_to(ROOT)} (run python scripts/search_terms.py)")
            return 1
        return 0
    DICTIONARY.parent.mkdir(parents=True, exist_ok=True)
    DICTIONARY.write_text(text, encoding="utf-8")
    print(f"wrote {len(text.splitlines())} terms to {DICTIONARY.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
