"""Long-term care insurance (长期护理保险, 长护险): assessment, eligibility, benefits, fund.

A separate insurance with its own fund (医保发〔2020〕37号: 单独建账、单独核算). Pure core:
records in, records and journals out.
"""
