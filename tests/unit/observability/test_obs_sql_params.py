"""Positional SQL parameters bound to secret columns are masked in `db` log events."""

from jwtpizza.observability.sanitize import MASK, Sanitizer, secret_positions


def test_a_compared_secret_column_is_found_by_position() -> None:
    sql = "SELECT vendor.id FROM vendor WHERE vendor.name = ? AND vendor.api_key = ? LIMIT ?"
    assert secret_positions(sql) == {1}
    assert secret_positions("SELECT * FROM t WHERE token IN (?, ?) AND id = $3") == {0, 1}


def test_insert_and_update_columns_are_mapped_to_their_values() -> None:
    insert = "INSERT INTO vendor (id, api_key, name) VALUES (?, ?, ?), (?, ?, ?)"
    assert secret_positions(insert) == {1, 4}
    assert secret_positions("UPDATE vendor SET api_key=%s, name=%s WHERE id = %s") == {0}


def test_clean_sql_params_masks_rows_and_executemany() -> None:
    clean = Sanitizer().clean_sql_params
    sql = "UPDATE vendor SET api_key=?, name=? WHERE id = ?"
    assert clean(sql, ("k3y-abcdef", "Pat", 7)) == [MASK, "Pat", 7]
    assert clean(sql, [("a", "b", 1), ("c", "d", 2)]) == [[MASK, "b", 1], [MASK, "d", 2]]
    assert clean("UPDATE u SET password = :password", {"password": "x"}) == {"password": MASK}
    assert clean("SELECT 1", None) is None
