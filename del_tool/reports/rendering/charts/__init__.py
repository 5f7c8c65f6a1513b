"""Report charts drawn with matplotlib's Figure API from each report's ChartSpecs."""
