"""Pictures for the demo: a gradient with a title, drawn with Pillow, stored as Wagtail images."""

import io

from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from PIL import ImageChops, ImageDraw, ImageFont, ImageOps
from wagtail.images import get_image_model

SIZE = (1600, 900)


def draw_title_card(title: str, subtitle: str, colours: tuple[str, str], size=SIZE) -> bytes:
    """A JPEG: a diagonal gradient between two colours with the title and a subtitle on it."""
    width, height = size
    # Two 256-step ramps stretched and averaged give a diagonal gradient, fast even at full size.
    vertical = PillowImage.linear_gradient("L").resize(size)
    ramp = ImageChops.add(vertical, vertical.transpose(PillowImage.Transpose.ROTATE_90).resize(size), scale=2.0)
    picture = ImageOps.colorize(ramp, black=colours[0], white=colours[1]).convert("RGB")
    draw = ImageDraw.Draw(picture)
    title_font = ImageFont.load_default(size=round(height * 0.11))
    subtitle_font = ImageFont.load_default(size=round(height * 0.045))
    margin = round(width * 0.06)
    draw.text((margin, round(height * 0.58)), title, font=title_font, fill="white")
    draw.text((margin, round(height * 0.74)), subtitle, font=subtitle_font, fill=(255, 255, 255, 200))
    draw.rectangle((margin, round(height * 0.54), margin + round(width * 0.12), round(height * 0.55)), fill="white")
    output = io.BytesIO()
    picture.save(output, format="JPEG", quality=85, optimize=True)
    return output.getvalue()


def create_title_card_image(*, title: str, subtitle: str, description: str, colours: tuple[str, str], filename: str):
    """A new Wagtail image with its alt text; the caller saves nothing else."""
    Image = get_image_model()
    image = Image(title=title)
    if any(field.name == "description" for field in Image._meta.get_fields()):
        image.description = description
    image.file = ImageFile(io.BytesIO(draw_title_card(title, subtitle, colours)), name=filename)
    image.save()
    return image
