"""The bloc workbook (khoi.xlsx) read and checked into the model; the shipped default bloc."""
