"""hubgen: a static site generator for knowledge hubs.

The package is laid out by layer; each imports only the layers below it (import-linter keeps it so):

    cli/                      click commands: flags in, report out, exit code; nothing imports it
    serve/  authoring/  pr/   the dev server; the editing commands; pull-request mode
    session/                  `Session`: the one orchestrator of check, build and serve
    build/                    render, theme, SEO files, search index, write: the output side
    core/                     settings, content, Markdown, the link graph, validation, diagnostics, layout
    base/                     safe sinks, bounded YAML, checked records, the build cache, progress

The public face for a program is `hubgen.session`: `check(project)`, `build(project)`, or a `Session`.
"""

__version__ = "0.1.0"
