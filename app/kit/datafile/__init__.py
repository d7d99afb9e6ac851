"""One loader for YAML data files (maturity models, the capability catalogue): limits, lines, words."""
