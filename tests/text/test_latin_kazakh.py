"""Latin Kazakh of both official alphabets to Cyrillic."""

from __future__ import annotations

import pytest

from newsmon.text import transliterate_kazakh_latin


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Qazaqstannyń", "Қазақстанның"),
        ("Qazaqstan Respýblıkasynyń Prezıdenti", "Қазақстан Республикасының Президенті"),
        ("Jambyl oblysy", "Жамбыл облысы"),
        ("Shymkent", "Шымкент"),
        ("Bilim jáne ǵylym mınıstrligi", "Білім және ғылым министрлігі"),
        ("Qaıyrly tań, Aıdos!", "Қайырлы таң, Айдос!"),
        ("Şymkent qalasynda 2024 jylğy", "Шымкент қаласында 2024 жылғы"),
        ("Qazaqstannyñ ūlttyq", "Қазақстанның ұлттық"),
        ("Tüpqarağan audany", "Түпқараған ауданы"),  # 2021: u is у, ū is ұ
    ],
)
def test_transliteration(latin: str, cyrillic: str) -> None:
    assert transliterate_kazakh_latin(latin) == cyrillic


def test_non_latin_text_is_kept() -> None:
    assert transliterate_kazakh_latin("Тараз, 12.05.2024 — «Jambyl»") == "Тараз, 12.05.2024 — «Жамбыл»"
