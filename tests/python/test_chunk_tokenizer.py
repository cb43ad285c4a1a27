"""Token counts equal HuggingFace `tokenizers` on real text, for WordPiece and byte-level BPE."""

from __future__ import annotations

import json
import pathlib

import pytest

import ragkernel as rk
from chunk_helpers import MINILM_TOKENIZER, check_chunks, corpus_texts

tokenizers = pytest.importorskip("tokenizers")
needs_minilm = pytest.mark.skipif(MINILM_TOKENIZER is None, reason="needs the embeddings extra")

MULTILINGUAL = [
    "Héllo wörld, ÇA VA? Ñandú İstanbul ß straße",
    "Привет, мир! Ελληνικά κείμενα. עברית ועוד",
    "日本語の文章です。中文句子\uff0c还有标点\uff01한국어 문장입니다.",
    "emoji 😀👍🏽 🇫🇷 and symbols ∑∫√ ≤ ≥ € £ ¥",
    "tabs\tand\u00a0nbsp\u2003em-space, zero\u200bwidth, control\x07bell\x0bvt",
    "[CLS] literal special [SEP] tokens [MASK]ed, [UNK]",
    "a" * 150 + " long-word " + "x" * 99,
    "combining e\u0301 a\u0308 o\u0302 and ﬁ ligature, Ⅻ numerals, ①②",
]


def hf(path: pathlib.Path | str) -> tokenizers.Tokenizer:
    tok = tokenizers.Tokenizer.from_file(str(path))
    tok.no_truncation()
    tok.no_padding()
    return tok


@needs_minilm
def test_wordpiece_ids_equal_huggingface_on_the_bundled_collections() -> None:
    assert MINILM_TOKENIZER is not None
    ours = rk.Tokenizer.from_file(MINILM_TOKENIZER)
    ref = hf(MINILM_TOKENIZER)
    assert ours.model_type == "WordPiece" and ours.vocab_size == ref.get_vocab_size()
    texts = corpus_texts("cranfield")[:400] + corpus_texts("cisi")[:300] + MULTILINGUAL
    for text, expected in zip(texts, ref.encode_batch(texts, add_special_tokens=False), strict=True):
        assert ours.encode(text) == expected.ids, text[:80]
        assert ours.count(text) == len(expected.ids)
    with_specials = ref.encode(texts[0]).ids
    assert ours.encode(texts[0], add_special_tokens=True) == with_specials
    assert ours.count(texts[0], add_special_tokens=True) == len(with_specials)
    assert ours.special_tokens_added == 2


@needs_minilm
def test_wordpiece_agrees_on_nearly_every_code_point() -> None:
    # HuggingFace's Rust crates carry older Unicode tables than ICU (Unicode 15): characters
    # assigned later as punctuation or marks are classified differently. Everything else agrees.
    assert MINILM_TOKENIZER is not None
    ours = rk.Tokenizer.from_file(MINILM_TOKENIZER)
    ref = hf(MINILM_TOKENIZER)
    code_points = [c for c in range(0x20, 0x30000) if not 0xD800 <= c <= 0xDFFF]
    words = [f"a{chr(c)}b" for c in code_points]
    differ = [
        c
        for c, w, e in zip(code_points, words, ref.encode_batch(words, add_special_tokens=False), strict=True)
        if ours.encode(w) != e.ids
    ]
    assert len(differ) < 0.005 * len(code_points), [hex(c) for c in differ[:20]]  # 824 of 194,528 today
    assert all(c >= 0x0600 for c in differ), "Latin, Greek, Cyrillic and Hebrew agree everywhere"


@pytest.fixture(scope="module", params=[False, True], ids=["plain", "add_prefix_space"])
def trained_bpe(request: pytest.FixtureRequest) -> tuple[rk.Tokenizer, tokenizers.Tokenizer]:
    """A byte-level BPE tokenizer trained here by HuggingFace on the bundled collections."""
    from tokenizers import decoders, models, pre_tokenizers, trainers

    ref = tokenizers.Tokenizer(models.BPE())
    ref.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=request.param)
    ref.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=1500,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=["<|endoftext|>"],
        show_progress=False,
    )
    ref.train_from_iterator(corpus_texts("cisi"), trainer)
    return rk.Tokenizer.from_str(ref.to_str()), ref


def test_byte_level_bpe_ids_equal_huggingface(trained_bpe: tuple[rk.Tokenizer, tokenizers.Tokenizer]) -> None:
    ours, ref = trained_bpe
    assert ours.model_type == "BPE"
    texts = (
        corpus_texts("cranfield")[:300]
        + MULTILINGUAL
        + [
            "it's 'twas I'll we've they'd YOU'RE",
            "   leading and trailing spaces   ",
            "<|endoftext|>after special\n\n\n<|endoftext|>",
            "x" * 5000,
            "\n\n\t \u3000 mixed whitespace runs \r\n",
        ]
    )
    for text, expected in zip(texts, ref.encode_batch(texts), strict=True):
        assert ours.encode(text) == expected.ids, text[:80]


def test_token_chunks_count_like_huggingface(trained_bpe: tuple[rk.Tokenizer, tokenizers.Tokenizer]) -> None:
    ours, ref = trained_bpe
    text = "\n\n".join(corpus_texts("adi"))

    def count(t: str) -> int:
        return len(ref.encode(t).ids)

    for method in ["token", "sentence", "recursive", "markdown"]:
        chunks = rk.chunk(text, method=method, chunk_size=96, overlap=16, tokenizer=ours)  # type: ignore[arg-type]
        check_chunks(text, chunks, 96, count)


@needs_minilm
def test_minilm_chunks_count_like_huggingface() -> None:
    assert MINILM_TOKENIZER is not None
    ref = hf(MINILM_TOKENIZER)
    text = "\n\n".join(corpus_texts("cisi")[:300]) + "\n\n" + "\n\n".join(MULTILINGUAL)

    def count(t: str) -> int:
        return len(ref.encode(t, add_special_tokens=False).ids)

    for method in ["token", "sentence", "recursive", "markdown"]:
        chunks = rk.chunk(text, method=method, chunk_size=128, overlap=0.1, tokenizer=MINILM_TOKENIZER)  # type: ignore[arg-type]
        check_chunks(text, chunks, 128, count)
    with_specials = rk.chunk(text, chunk_size=128, tokenizer=ref, add_special_tokens=True)
    check_chunks(text, with_specials, 128, lambda t: len(ref.encode(t).ids))


def test_tokenizer_files_that_do_not_parse(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ValueError, match=r"tokenizer\.json: does not parse as JSON"):
        rk.Tokenizer.from_str("{not json")
    with pytest.raises(ValueError, match=r'tokenizer\.json: the file has no "model"'):
        rk.Tokenizer.from_str("{}")
    unigram = {"model": {"type": "Unigram", "vocab": []}}
    with pytest.raises(ValueError, match='model "Unigram" is not supported'):
        rk.Tokenizer.from_str(json.dumps(unigram))
    wordpiece = {
        "model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "a": 1}, "unk_token": "[UNK]"},
        "normalizer": {"type": "NFKC"},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
    }
    with pytest.raises(ValueError, match='normalizer "NFKC" is not supported'):
        rk.Tokenizer.from_str(json.dumps(wordpiece))
    missing_unk = {"model": {"type": "WordPiece", "vocab": {"a": 1}, "unk_token": "[UNK]"}}
    with pytest.raises(ValueError, match='unk_token "\\[UNK\\]" is not in the vocabulary'):
        rk.Tokenizer.from_str(json.dumps(missing_unk))
    bad = tmp_path / "tokenizer.json"
    bad.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(ValueError, match="does not parse"):
        rk.chunk("text", tokenizer=bad)
    with pytest.raises(OSError, match="cannot open tokenizer file"):
        rk.Tokenizer.from_file(tmp_path / "missing.json")


def test_a_tiny_wordpiece_vocabulary() -> None:
    spec = {
        "model": {
            "type": "WordPiece",
            "vocab": {"[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, "aff": 4, ",": 5, "!": 6},
            "unk_token": "[UNK]",
            "max_input_chars_per_word": 100,
        },
        "normalizer": {"type": "BertNormalizer", "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
    }
    tok = rk.Tokenizer.from_str(json.dumps(spec))
    assert tok.encode("UnAffable, aff!") == [1, 2, 3, 5, 4, 6]
    assert tok.encode("xyz") == [0]
    assert tok.count("") == 0
