"""evalkit.composite.hierarchy: the metadata and unit checks explain what is wrong."""
import pytest
from _data.composite import toy

from evalkit import composite as c
from evalkit.errors import DataShapeError, ParameterError


def test_bad_inputs_explain_what_is_wrong():
    data, meta = toy()
    with pytest.raises(DataShapeError, match="'Z'"):
        c.build(data, meta.assign(parent=["P", "P", "Z", "I", "I", None]))
    with pytest.raises(DataShapeError, match="non-numeric"):
        c.build(data.assign(x1=["1", "2", "n/a", "4"]), meta)
    with pytest.raises(DataShapeError, match="x3"):
        c.build(data.drop(columns="x3"), meta)
    with pytest.raises(DataShapeError, match="more than one row"):
        c.build(data.assign(uCode=["A", "A", "C", "D"]), meta)
    with pytest.raises(ParameterError, match="unit"):
        c.build(data.rename(columns={"uCode": "id"}), meta)
