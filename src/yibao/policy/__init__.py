"""Policy as data: dated, layered, cited parameters and the catalogue (政策参数与目录)."""
