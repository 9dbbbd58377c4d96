"""Provincial pooling (省级统筹): prefecture pooling, the adjustment fund (调剂金) and unified
collection and expenditure (统收统支). Pure core: numpy arrays in, arrays and journals out."""
