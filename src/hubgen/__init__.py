"""hubgen: a static site generator for knowledge hubs.

The public façade is `hubgen.pipeline`: `check(project)` and `build(project)`. Everything else is an
internal stage of the one-way pipeline load -> graph -> validate -> render -> write.
"""

__version__ = "0.1.0"
