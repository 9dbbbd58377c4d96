"""The vocabulary shared by every package: schemes, person types, visit types, levels."""

from __future__ import annotations

from enum import StrEnum


class Scheme(StrEnum):
    """A basic medical insurance scheme (基本医疗保险险种)."""

    EMPLOYEE = "employee"  # 职工基本医疗保险
    RESIDENT = "resident"  # 城乡居民基本医疗保险


class PersonType(StrEnum):
    """The person type that selects parameters inside a scheme (人员类别)."""

    ACTIVE = "active"  # employee in service (在职)
    RETIRED = "retired"  # retired employee (退休)
    ADULT = "adult"  # adult resident (成年居民)
    CHILD = "child"  # child or student resident (少儿、学生)
    ELDERLY = "elderly"  # elderly resident (老年居民)


PERSON_TYPES_BY_SCHEME: dict[Scheme, tuple[PersonType, ...]] = {
    Scheme.EMPLOYEE: (PersonType.ACTIVE, PersonType.RETIRED),
    Scheme.RESIDENT: (PersonType.ADULT, PersonType.CHILD, PersonType.ELDERLY),
}


class VisitType(StrEnum):
    """The kind of care a claim is for (就诊类别)."""

    INPATIENT = "inpatient"  # 住院
    OUTPATIENT_GENERAL = "outpatient_general"  # 普通门诊统筹 / 门诊共济
    OUTPATIENT_CHRONIC = "outpatient_chronic"  # 门诊慢特病
    PHARMACY = "pharmacy"  # 定点药店购药


class Level(StrEnum):
    """Hospital level (医院等级); community health centres count as level 1."""

    L1 = "L1"
    L2 = "L2"
    L3 = "L3"


class ItemClass(StrEnum):
    """Catalogue class of a drug, service item or consumable (甲类 / 乙类 / 丙类)."""

    A = "A"  # fully in the reimbursable base
    B = "B"  # a pre-self-pay share first, then normal sharing
    C = "C"  # outside the catalogue: full self-pay


class ItemKind(StrEnum):
    """What a catalogue entry is (药品 / 诊疗项目 / 医用耗材)."""

    DRUG = "drug"
    SERVICE = "service"
    CONSUMABLE = "consumable"


class AssistanceCategory(StrEnum):
    """Medical assistance recipient category (医疗救助对象类别), 国办发〔2021〕42号."""

    TEKUN = "tekun"  # 特困人员 (and orphans)
    DIBAO = "dibao"  # 低保对象
    FANPIN = "fanpin"  # 返贫致贫人口
    DIBAO_EDGE = "dibao_edge"  # 低保边缘家庭成员
    MONITORED = "monitored"  # 纳入监测范围的易返贫致贫人口
    ILLNESS_POVERTY = "illness_poverty"  # 因病致贫重病患者


class Route(StrEnum):
    """How a claim relates to the insured region (异地就医 status)."""

    LOCAL = "local"  # care inside the insured region
    FILED = "filed"  # long-term residence or filed transfer (备案): local standard
    REFERRED = "referred"  # referred elsewhere (转诊)
    EMERGENCY = "emergency"  # emergency care away (急诊抢救)
    UNFILED = "unfiled"  # temporary care away without filing (未备案临时外出)


class Sex(StrEnum):
    """Sex as coded in the national standard GB/T 2261.1: 1 male, 2 female."""

    MALE = "1"
    FEMALE = "2"
