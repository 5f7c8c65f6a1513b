"""Built reports shown: page and PDF, XLSX and CSV, charts; knows the model, not the builders."""
