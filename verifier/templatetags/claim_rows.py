from django import template

register = template.Library()


@register.simple_tag
def claim_row(table, record, counter):
    """One row of the claims table, written by ClaimTable.row_html."""
    return table.row_html(record, counter)
