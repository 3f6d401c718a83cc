"""The output side, loaded only when something is rendered: the theme (`theme`), each page's view and its
HTML (`render`, `pathview`, `wayviews`, `cards`, `seo`), many pages at once under one invalidation rule
(`renderjobs`, `deps`), the search index (`search`) and the atomic write (`write`, `swap`). It imports
`hubgen.core` and `hubgen.base`."""
