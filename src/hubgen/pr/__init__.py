"""Pull-request mode (`check --changed-since REF`): the tree at REF read from git's objects (`gitref`), and
the diagnostics new since REF, matched by code, file and message (`compare`)."""
