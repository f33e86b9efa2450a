"""Analysis: detention counts and rates over resolved people, the violation matrix, reports."""
