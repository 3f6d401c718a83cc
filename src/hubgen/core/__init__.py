"""The core: everything `hubgen check` needs and nothing more. Settings (`config`, `configvalues`), the
content folder read into pages (`load`, `frontmatter`, `markdown`, `positions`, `slugs`), the link graph
(`graph`, `links`), the rules (`validate`, `external`), diagnostics, and where every output goes
(`layout`, which also holds the `Site` a build writes). It imports only `hubgen.base`: never the build
side, Jinja, the server or the session."""
