"""The economic models: rebuild an estimate from explicit assumptions with units, and test
whether a claim fits what the funder could pay.

- ``tco``: GPU fleet cost of ownership (capex, operating cost, TCO, cost per GPU-hour);
- ``fund``: a fund manager's fees and the cash it can reinvest;
- ``plausibility``: capex claims against that cash and against peers' capex intensity;
- ``uncertainty``: ranges and distributions, Monte Carlo, tornado;
- ``catalogue``: the bundled defaults, each with its source and date;
- ``xlsx_export`` and ``charts``: the models as live-formula workbooks and as charts.

    >>> from crossfoot.models import tco, fund, plausibility
    >>> tco.compute(tco.deepseek_fleet()).total["tco_per_year"]      # $/yr
    636000000.0
    >>> result = fund.run_fund(fund.deepseek_fund())
    >>> [v.verdict for v in plausibility.check_claims(result, {"all GPUs": 1600})]
    ['far exceeds']
"""

from crossfoot.models.inputs import InputError

__all__ = ["InputError"]
