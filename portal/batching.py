"""Walking a large queryset a batch at a time: one query per batch, one batch in memory."""


def pk_batches(queryset, size: int):
    """Lists of at most ``size`` rows in pk order (model instances, or pks of a flat
    ``values_list("pk")``). Paging by pk, not offset, so rows that a step changes or removes from
    the queryset never make the next batch skip or repeat a row."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if batch:
            yield batch
        if len(batch) < size:
            return
        last = getattr(batch[-1], "pk", batch[-1])
