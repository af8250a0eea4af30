"""A handful of policy Q&As for the demo city (政策解读). The lead's demo command calls
policies_seed(); running it again changes nothing."""

from django.db import transaction

from tongban.catalog.models import ServiceItem

from .models import PolicyQA

POLICIES = [
    (
        None,
        "在本市任一医保服务大厅能办理其他县（市、区）参保人员的业务吗？",
        "可以。本市实行医保经办“全市通办”：市、县经办机构同权受理，参保人可以就近到任一医保服务大厅或通办窗口办理，"
        "不受参保地限制，办理结果与在参保地办理相同。",
        "《聊城市医疗保障经办政务服务事项“全市通办”实施方案》",
    ),
    (
        None,
        "材料不齐的情况下能否先受理？",
        "主要材料齐全、次要材料暂缺的，可以容缺受理：申请人书面承诺在约定期限内补齐，补齐后出具办理结果；"
        "逾期未补齐的，办件终止。主要材料不齐的，窗口一次性告知需要补正的全部材料。",
        "《中华人民共和国行政许可法》第三十二条；山东省政务服务容缺受理有关规定",
    ),
    (
        "YB01003",
        "城乡居民参保登记需要本人到场吗？",
        "不需要。持参保人有效身份证件即可办理，可由家属代办；也可以通过网上办、掌上办自助登记，登记后即时生效。",
        "《山东省医疗保障经办政务服务事项清单》",
    ),
    (
        "YB01003",
        "新生儿什么时候参加城乡居民医保？",
        "新生儿自出生之日起90日内参保缴费的，自出生之日起享受医保待遇；超过90日参保的，自缴费次月起享受待遇。"
        "办理时提供新生儿户口簿或出生医学证明。",
        "《山东省人民政府办公厅关于进一步完善城乡居民基本医疗保险制度的通知》",
    ),
    (
        "YB07019",
        "门诊费用报销需要在多长时间内申请？",
        "一般应在费用发生之日起一年内申请手工报销；承诺时限为10个工作日，自受理次日起计算，补正材料期间不计入。",
        "《山东省医疗保障经办政务服务事项清单》；《中华人民共和国行政许可法》第八十二条",
    ),
    (
        "YB07019",
        "门急诊费用清单遗失了还能报销吗？",
        "费用清单属于容缺材料：持医保电子凭证或身份证件和医院收费票据可先容缺受理，承诺期限内到就诊医院补打清单后提交，"
        "补齐后出具报销结果。",
        "本市医保经办容缺受理材料目录",
    ),
    (
        "YB05014",
        "异地长期居住备案后还能回参保地就医吗？",
        "可以。备案有效期内在备案地和参保地都可以直接结算，参保地按规定执行本地待遇政策；备案后6个月内不能变更或取消。",
        "《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）",
    ),
    (
        "YB04012",
        "医保关系转移接续要多久？",
        "转入地经办机构受理后，承诺15个工作日内办结；转出地需先出具《参保凭证》。全程可以网上申请，无需往返两地。",
        "《基本医疗保障关系转移接续暂行办法》；《国家医疗保障局办公室关于优化医保领域便民服务的意见》",
    ),
]


@transaction.atomic
def policies_seed() -> int:
    """Create the demo policy Q&As (published); returns how many exist after the call."""
    items = {
        i.code: i for i in ServiceItem.objects.filter(code__in={p[0] for p in POLICIES if p[0]})
    }
    for code, question, answer, source in POLICIES:
        if code and code not in items:
            continue
        PolicyQA.objects.get_or_create(
            question=question,
            defaults={
                "item": items.get(code),
                "answer": answer,
                "source": source,
                "published": True,
            },
        )
    return PolicyQA.objects.count()
