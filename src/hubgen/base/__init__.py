"""The bottom layer, imported by every other: how hubgen touches the world safely. One escaper per sink
(`sinks`), one bounded YAML reader (`yamlread`), checked JSON records instead of pickle (`records`), regular
files only (`files`), the build cache with its namespaced entries and versioned records (`cache`), and
progress reporting (`progress`). It imports nothing from hubgen."""
