"""File renderings of what the pages show: CSV and XLSX tables, the quarterly report as PDF and XLSX.

Nothing here reads the database or decides who may see what; callers pass rows that data_access has already
scoped and masked, and audit the export.
"""
