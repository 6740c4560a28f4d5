"""隐私保护的比对（巴彦淖尔通知 §4（三）：涉及保密而无法共享的数据，由相关部门开展内部比对）。

民政把要核查的人编码（带密钥的布隆过滤器 + 号码的带密钥哈希）交给部门；部门在本机用同一把
密钥编码自己的名单、比对，只把对上的人“是否在执行、起、止”回给民政。威胁模型见
docs/pprl-threat-model.md。
"""

from shouhu.core.pprl.answers import Answer, Term, answers_build, term_pick
from shouhu.core.pprl.encode import Encoded, encode
from shouhu.core.pprl.ids import IdKeys, ids_checked
from shouhu.core.pprl.keys import LinkageKey, linkage_key_generate
from shouhu.core.pprl.match import Basis, Links, dice, link
from shouhu.core.pprl.persons import Person, person_columns, persons_encode
from shouhu.core.pprl.schema import (
    PERSON_ZH,
    PERSON_ZH_V2,
    SCHEMAS,
    BlockPart,
    BlockSpec,
    FieldSpec,
    Schema,
    Tokenizer,
)
from shouhu.core.pprl.wire import (
    REQUEST_FILENAME,
    RESPONSE_FILENAME,
    Request,
    Response,
    request_dump,
    request_load,
    response_dump,
    response_load,
)

__all__ = [
    "PERSON_ZH",
    "PERSON_ZH_V2",
    "REQUEST_FILENAME",
    "RESPONSE_FILENAME",
    "SCHEMAS",
    "Answer",
    "Basis",
    "BlockPart",
    "BlockSpec",
    "Encoded",
    "FieldSpec",
    "IdKeys",
    "LinkageKey",
    "Links",
    "Person",
    "Request",
    "Response",
    "Schema",
    "Term",
    "Tokenizer",
    "answers_build",
    "dice",
    "encode",
    "ids_checked",
    "link",
    "linkage_key_generate",
    "person_columns",
    "persons_encode",
    "request_dump",
    "request_load",
    "response_dump",
    "response_load",
    "term_pick",
]
