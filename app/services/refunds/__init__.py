"""refunds (退订): Table 6-1, refund requests and processes, settlement into the buyers' accounts."""
