"""The cross-region route of a claim (异地就医), decided once for the API, CLI and scenarios.

Care outside the insured region with no route stated follows the filing status: filed care
(异地长期居住或转外就医备案) is settled at the local standard, unfiled care as temporary care
away (未备案临时外出就医) (policy-facts-2.md §7.4). A non-local route for care inside the insured
region is a contradiction.
"""

from __future__ import annotations

from dataclasses import replace

from yibao.errors import InputError
from yibao.settle.model import Claim
from yibao.types import Route


def claim_route(route: Route, insured_region: str, treatment_region: str, filed: bool) -> Route:
    """The route the claim is settled under.

    >>> claim_route(Route.LOCAL, "610700", "610100", filed=True).value
    'filed'
    >>> claim_route(Route.LOCAL, "610700", "610100", filed=False).value
    'unfiled'
    >>> claim_route(Route.EMERGENCY, "610700", "610100", filed=False).value
    'emergency'
    """
    if treatment_region != insured_region and route is Route.LOCAL:
        return Route.FILED if filed else Route.UNFILED
    if treatment_region == insured_region and route is not Route.LOCAL:
        raise InputError(f"claim.route: {route.value!r} but the care is in the insured region")
    return route


def routed(claim: Claim, insured_region: str, filed: bool) -> Claim:
    """``claim`` with its route decided by :func:`claim_route`."""
    route = claim_route(claim.route, insured_region, claim.treatment_region, filed)
    return claim if route is claim.route else replace(claim, route=route)
