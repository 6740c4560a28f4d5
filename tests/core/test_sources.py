"""出处：条款引用写成给人看的文字；未知的文件和写错的条款不放过。"""

from __future__ import annotations

import pytest

from shouhu.core.sources import (
    UnknownCitation,
    clause_label,
    document,
    documents,
    parse_citation,
)

BAYANNUR = "《关于建立孤儿和事实无人抚养儿童数据信息共享协同保障工作机制的通知》"
RULES = "《守护平台认定规则》"


@pytest.mark.parametrize(
    ("citation", "label"),
    [
        ("bayannur §3(二)2(5)", f"{BAYANNUR}三（二）2（5）"),
        ("bayannur §3(一)、§3(二)1(2)", f"{BAYANNUR}三（一）、三（二）1（2）"),
        ("bayannur §3(二)2(1)(2)(7)", f"{BAYANNUR}三（二）2（1）（2）（7）"),
        ("bayannur §4(三)", f"{BAYANNUR}四（三）"),
        ("bayannur §3", f"{BAYANNUR}第三部分"),
        ("bayannur 附件2", f"{BAYANNUR}附件2"),
        ("policy §4.1", f"{RULES}第4.1节"),
        ("policy §4.6；bayannur §3(二)2(6)", f"{RULES}第4.6节；{BAYANNUR}三（二）2（6）"),
        ("docs/rules.md §3—§5、§8", f"{RULES}第3节—第5节、第8节"),
        (
            "policy §4.6；bayannur §3(二)2(5)、bayannur §3(二)2(4)",
            f"{RULES}第4.6节；{BAYANNUR}三（二）2（5）、三（二）2（4）",
        ),
        (
            "sixian §2(一)1",
            "《泗县人民政府办公室关于进一步做好困境儿童保障和农村留守儿童关爱保护工作的通知》二（一）1",
        ),
        ("glossary", "《守护术语表》"),
    ],
)
def test_clause_label_names_the_document_and_article(citation: str, label: str) -> None:
    assert clause_label(citation) == label


def test_a_title_with_book_marks_is_nested_with_angle_marks() -> None:
    label = clause_label("zhangqiu-2022-interpretation")
    assert label.startswith("《济南市章丘区民政局长孙骅解读〈关于建立")
    assert label.endswith("工作方案〉》")


@pytest.mark.parametrize(
    "citation",
    ["zhangqiu §2(一)", "seeds/bayannur.txt", "§3(一)", "bayannur §x", "policy §4(一)", ""],
)
def test_unknown_documents_and_malformed_citations_are_refused(citation: str) -> None:
    with pytest.raises(UnknownCitation):
        clause_label(citation)


def test_a_clause_exists_when_it_or_its_parent_is_in_the_outline() -> None:
    bayannur = document("bayannur")
    assert bayannur.has_clause("3(二)2(5)")
    assert bayannur.has_clause("3(二)")
    assert bayannur.has_clause("3(二)2(1)(2)(7)")
    assert bayannur.has_clause("附件1")
    assert not bayannur.has_clause("3(二)2(9)")
    assert not bayannur.has_clause("3(二)2(1)(9)")
    assert not bayannur.has_clause("附件3")
    assert not document("zhangqiu-2022-interpretation").has_clause("1")


def test_project_documents_are_found_by_key_or_path() -> None:
    assert document("docs/rules.md") is document("policy")
    (cited,) = parse_citation("docs/formats/assess.md")
    assert cited.document.key == "assess-format"
    assert cited.clause is None


def test_every_government_document_says_who_issued_it_and_leaves_unknowns_unstated() -> None:
    notices = [d for d in documents().values() if d.path is None]
    assert {d.key for d in notices} == {
        "bayannur",
        "sixian",
        "weifang",
        "zhangqiu-2022-work-plan",
        "zhangqiu-2022-interpretation",
    }
    assert all(d.title and d.issuer for d in notices)
    # 文件上没有写明的，数据里就不填（显示为“未载明”）
    assert document("bayannur").number is None
    assert document("zhangqiu-2022-interpretation").issued is None
    assert document("sixian").number == "泗政办秘〔2020〕9号"
