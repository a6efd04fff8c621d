"""The tool's version, written into every workbook it makes."""

VERSION = "0.1.0"
