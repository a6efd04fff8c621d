"""Everything written for people: templates, the bloc and ranking workbooks, the JSON report; atomically."""
