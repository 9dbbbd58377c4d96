"""Example reform files shipped with yibao (see ``yibao/reform/docs.md``)."""
