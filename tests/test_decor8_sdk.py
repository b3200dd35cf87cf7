"""The official Python SDK `decor8ai==0.34` against the emulator, changed in nothing but its base URL
(notes 5): every public method of `Decor8AI`, and every module-level function through the SDK's own
default client (`decor8ai.client._default_client`, the key from `DECOR8AI_API_KEY`)."""

from __future__ import annotations

import base64
import inspect
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

decor8ai = pytest.importorskip("decor8ai", reason="the decor8ai SDK (test dependency) is missing")
import decor8ai.client as sdk_client  # noqa: E402

from emulator.testing import EmulatorServer  # noqa: E402

KEY = "sdk-test-key"


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as emu:
        yield emu


@pytest.fixture
def base(server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> str:
    # requests honours proxy variables: a CI runner's proxy must not swallow calls to 127.0.0.1
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("DECOR8AI_API_KEY", KEY)
    return server.base_url("decor8")


@pytest.fixture
def client(base: str) -> Any:
    return decor8ai.Decor8AI(api_key=KEY, base_url=base)


@pytest.fixture
def default_client(base: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The module-level functions' client, pointed at the emulator as notes 5 shows."""
    monkeypatch.setattr(sdk_client, "_default_client", sdk_client.Decor8AI(base_url=base))
    return sdk_client._default_client


def jpeg(size: tuple[int, int] = (640, 480), color: tuple[int, int, int] = (90, 130, 170)) -> bytes:
    img = Image.new("RGB", size, color)
    img.paste((220, 210, 190), (size[0] // 4, size[1] // 2, size[0] // 2, size[1] * 3 // 4))
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    return buf.getvalue()


def data_url(data: bytes, kind: str = "image/jpeg") -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def decoded(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def fetched(url: str) -> Image.Image:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, url
    return decoded(response.content)


def images(result: dict[str, Any], count: int, size: tuple[int, int]) -> list[dict[str, Any]]:
    assert result["error"] == "", result
    found = result["info"]["images"]
    assert len(found) == count
    for image in found:
        assert (image["width"], image["height"]) == size
        if "data" in image:
            assert decoded(base64.b64decode(image["data"])).size == size
    assert fetched(found[0]["url"]).size == size
    return found


PHOTO = (640, 480)
OUT = (768, 576)


def class_calls(photo_url: str, photo: bytes, photo_path: Path, mask_url: str) -> dict[str, Any]:
    """One call (or more) per public method of `Decor8AI`, each checking its answer."""

    def room(c: Any) -> None:
        result = c.generate_designs_for_room(
            photo_url, "livingroom", "modern", 2,
            scale_factor=2, color_scheme="COLOR_SCHEME_5", speciality_decor="SPECIALITY_DECOR_2",
            prompt="warm light", seed=0, guidance_scale=15.0, num_inference_steps=50,
            design_style_image_url="https://example.com/style.jpg",
            design_style_image_strength=0.82, design_creativity=0.39,
            webhooks_data='{"note": "none"}', decor_items='[{"item": "sofa"}]',
        )  # fmt: skip
        images(result, 2, (1536, 1152))
        again = c.generate_designs_for_room(
            photo_url, "LIVINGROOM", "MODERN", mask_info=result["info"]["mask_info"]
        )
        images(again, 1, OUT)

    def inspirational(c: Any) -> None:
        result = c.generate_inspirational_designs(
            "bedroom", "japandi", 3, color_scheme="COLOR_SCHEME_1", seed=7, guidance_scale=10,
            num_inference_steps=35, speciality_decor="SPECIALITY_DECOR_7", prompt="calm",
        )  # fmt: skip
        images(result, 3, (768, 512))

    def designs(c: Any) -> None:
        result = c.generate_designs(photo, "kitchen", "farmhouse", 2, num_captions=2)
        for image in images(result, 2, OUT):
            assert len(image["captions"]) == 2
        images(c.generate_designs(str(photo_path), "kitchen", "modern"), 1, OUT)
        served = result["info"]["images"][0]["url"]  # a URL: the SDK downloads it first
        kept = c.generate_designs(served, "kitchen", "modern", keep_original_dimensions=True)
        images(kept, 1, OUT)

    return {
        "generate_designs_for_room": room,
        "generate_inspirational_designs": inspirational,
        "generate_designs": designs,
        "prime_walls_for_room": lambda c: images(c.prime_walls_for_room(photo_url), 1, OUT),
        "prime_the_room_walls": lambda c: images(c.prime_the_room_walls(photo), 1, OUT),
        "change_wall_color": lambda c: images(c.change_wall_color(photo_url, "#FF5733"), 1, OUT),
        "change_kitchen_cabinets_color": lambda c: images(
            c.change_kitchen_cabinets_color(photo_url, "#FFFFFF"), 1, OUT
        ),
        "remodel_kitchen": lambda c: images(
            c.remodel_kitchen(photo_url, "modern", 2, 2), 2, (1536, 1152)
        ),
        "remodel_bathroom": lambda c: images(c.remodel_bathroom(photo_url, "coastal"), 1, OUT),
        "replace_sky_behind_house": lambda c: images(
            c.replace_sky_behind_house(photo_url, "dusk"), 1, OUT
        ),
        "generate_landscaping_designs": lambda c: images(
            c.generate_landscaping_designs(photo_url, "Front Yard", "japanese_zen", 2), 2, OUT
        ),
        "remove_objects_from_room": lambda c: [
            _single(c.remove_objects_from_room(photo_url)),
            _single(c.remove_objects_from_room(photo_url, mask_url)),
        ],
        "upscale_image": lambda c: _upscaled(c.upscale_image(photo, 3), (1920, 1440)),
        "sketch_to_3d_render": lambda c: images(
            c.sketch_to_3d_render(photo_url, "contemporary", 2, 1, "isometric"), 2, OUT
        ),
    }


def _single(result: dict[str, Any]) -> None:
    assert result["error"] == "" and result["message"] == "Successfully removed objects from room."
    image = result["info"]["image"]
    assert (image["width"], image["height"]) == OUT == fetched(image["url"]).size


def _upscaled(result: dict[str, Any], size: tuple[int, int]) -> None:
    assert result["error"] == "", result
    assert decoded(base64.b64decode(result["info"]["upscaled_image"])).size == size


def public_methods() -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(decor8ai.Decor8AI, inspect.isfunction)
        if not name.startswith("_")
    }


@pytest.fixture
def inputs(client: Any, tmp_path: Path) -> tuple[str, bytes, Path, str]:
    photo = jpeg(PHOTO)
    path = tmp_path / "room.jpg"
    path.write_bytes(photo)
    mask = Image.new("L", PHOTO, 0)
    mask.paste(255, (0, 0, 320, 480))
    buf = io.BytesIO()
    mask.save(buf, "PNG")
    return data_url(photo), photo, path, data_url(buf.getvalue(), "image/png")


def test_every_method_of_the_client(client: Any, inputs):
    calls = class_calls(*inputs)
    assert set(calls) == public_methods(), "a public method of Decor8AI is not exercised"
    for name, call in calls.items():
        try:
            call(client)
        except AssertionError as exc:
            raise AssertionError(f"Decor8AI.{name}: {exc}") from exc


def module_calls(photo_url: str, photo: bytes, photo_path: Path, mask_url: str):
    d = decor8ai
    calls: dict[str, Callable[[], None]] = {
        "prime_the_room_walls": lambda: images(d.prime_the_room_walls(str(photo_path)), 1, OUT),
        "prime_walls_for_room": lambda: images(d.prime_walls_for_room(photo_url), 1, OUT),
        # the wrappers accept prompt_prefix/suffix, negative_prompt, keep_original_floor and drop them
        "generate_designs": lambda: images(
            d.generate_designs(
                photo,
                "bedroom",
                "boho",
                num_captions=1,
                num_images=2,
                prompt_prefix="a",
                negative_prompt="b",
            ),
            2,
            OUT,
        ),
        "generate_designs_for_room": lambda: [
            images(
                d.generate_designs_for_room(
                    photo_url, None, "bedroom", "boho", 2, keep_original_floor=True
                ),
                2,
                OUT,
            ),
            # prompt only: room_type and design_style go as null (notes 5)
            images(d.generate_designs_for_room(photo_url, prompt="cozy", seed=0), 1, OUT),
        ],
        "generate_inspirational_designs": lambda: images(
            d.generate_inspirational_designs("office", "industrial", 1, prompt_suffix="x"),
            1,
            (768, 512),
        ),
        "generate_image_captions": lambda: _captions(
            d.generate_image_captions("modern", "livingroom", 2)
        ),
        "upscale_image": lambda: _upscaled(d.upscale_image(photo), (1280, 960)),
        "remove_objects_from_room": lambda: _single(
            d.remove_objects_from_room(photo_url, mask_url)
        ),
        "replace_sky_behind_house": lambda: images(
            d.replace_sky_behind_house(photo_url, "night"), 1, OUT
        ),
        "change_wall_color": lambda: images(d.change_wall_color(photo_url, "#336699"), 1, OUT),
        "change_kitchen_cabinets_color": lambda: images(
            d.change_kitchen_cabinets_color(photo_url, "#000000"), 1, OUT
        ),
        "generate_landscaping_designs": lambda: images(
            d.generate_landscaping_designs(photo_url, "BACKYARD", "MEDITERRANEAN"), 1, OUT
        ),
        "remodel_kitchen": lambda: images(d.remodel_kitchen(photo_url, "scandinavian"), 1, OUT),
        "remodel_bathroom": lambda: images(d.remodel_bathroom(photo_url, "modern", 3), 3, OUT),
        "sketch_to_3d_render": lambda: images(
            d.sketch_to_3d_render(photo_url, "modern", 1, None, "perspective"), 1, OUT
        ),
    }
    return calls


def _captions(result: dict[str, Any]) -> None:
    assert result["error"] == "", result
    assert len(result["info"]["captions"]) == 2


def test_every_module_level_function(default_client: Any, inputs):
    calls = module_calls(*inputs)
    exported = {n for n in decor8ai.__all__ if inspect.isfunction(getattr(decor8ai, n))}
    assert set(calls) == exported, "a module-level function of decor8ai is not exercised"
    for name, call in calls.items():
        try:
            call()
        except AssertionError as exc:
            raise AssertionError(f"decor8ai.{name}: {exc}") from exc


def test_errors_reach_the_sdk_as_bodies(client: Any, base: str):
    """The SDK returns any JSON body whatever the status (notes 4): the error codes arrive."""
    result = client.change_wall_color("https://example.com/a.jpg", "red")
    assert result["error"] == "InvalidParameter"
    assert result["message"].startswith("wall_color_hex_code")
    assert client.remove_objects_from_room("not a url")["error"] == "InvalidInput"
    wrong = decor8ai.Decor8AI(api_key="key-that-is-invalid", base_url=base)
    assert wrong.prime_walls_for_room("https://example.com/a.jpg")["error"] == "Unauthorized"
