"""Beyond the three tiers: supplementary tiers, family mutual aid, the epidemic overlay.

Layers over a settled claim (:class:`yibao.settle.engine.Settlement`): they read its parts and
move the person's remaining share to other payers, each with its own ledger account.
"""
