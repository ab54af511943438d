"""A function that talks: on stdout at its import and in every call, from Python and
straight to file descriptor 1 as C code would. None of it may reach bench's report."""

import os

print("noisy_output: print at import")
os.write(1, b"noisy_output: fd 1 at import\n")


def shout(n: int) -> int:
    print(f"noisy_output: print in call {n}", flush=True)
    os.write(1, f"noisy_output: fd 1 in call {n}\n".encode())
    return n
