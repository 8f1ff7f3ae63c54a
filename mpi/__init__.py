"""The MPI rules of TPMAP: the indicator catalogue (data) and the pure arithmetic over it."""
