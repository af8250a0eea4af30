"""The English of the audit trail's catalogue, as `tongban translations` fills it."""

EN = {
    "第 %(first)s 至 %(last)s 条记录（链尾）被删除：审计链头为第 %(last)s 条": "Entries %(first)s to %(last)s (the end of the chain) were removed: the audit head is at entry %(last)s",
    "第 %(seq)s 条及以后的记录在审计链头（第 %(head)s 条）之后：链头被改回": "Entry %(seq)s and those after it lie past the audit head (entry %(head)s): the head was moved back",
    "第 %(seq)s 条记录（链尾）与审计链头的哈希不符：被改写": "Entry %(seq)s (the end of the chain) does not match the audit head's hash: it was rewritten",
    "第 %(seq)s 条记录（id %(id)s）的内容与其哈希不符：被修改": "Entry %(seq)s (id %(id)s) no longer matches its hash: it was changed",
    "第 %(seq)s 条记录（id %(id)s）原本接在第 %(before)s 条之后：顺序被改动": "Entry %(seq)s (id %(id)s) was chained after entry %(before)s: the order was changed",
    "第 %(seq)s 条记录（id %(id)s）之前的记录被删除或改写：它所接的记录已不在链上": "The entry before entry %(seq)s (id %(id)s) was removed or rewritten: what it was chained to is no longer in the chain",
    "第 %(seq)s 条记录（id %(id)s）应为第 %(expected)s 条：编号被改动": "Entry %(seq)s (id %(id)s) should be entry %(expected)s: the numbering was changed",
    "%(table)s %(day)s 的记录与第 %(seq)s 条审计记录中的锚定值不符（当时 %(then)s 条，现在 %(now)s 条）": "The rows of %(table)s on %(day)s do not match their anchor in audit entry %(seq)s (%(then)s rows then, %(now)s now)",
    "：自 id %(first)s–%(last)s 一段起被修改、删除、插入或调换": ": changed, removed, added or swapped from the block of ids %(first)s–%(last)s on",
    "：末尾的记录被删除或追加": ": rows at the end were removed or added",
    # #15: model choices, the figures, the error pages
    "成功": "Succeeded",
    "失败": "Failed",
}
