"""A checked request becomes a job that draws, encodes and answers."""
