"""GeoJSON geometry checks and measures for the carte champ (WGS84 longitude/latitude).

Measures are on the sphere (radius 6 378 137 m, as Leaflet and turf compute them): precise enough
to tell an usager « 1,2 ha » or « 350 m », not a land survey.
"""

import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

EARTH_RADIUS = 6378137.0
GEOMETRY_LABELS = {
    "Point": "Point",
    "MultiPoint": "Points",
    "LineString": "Ligne",
    "MultiLineString": "Lignes",
    "Polygon": "Polygone",
    "MultiPolygon": "Polygones",
}
MAX_POSITIONS = 20000  # over every geometry of a champ
DECIMALS = 7  # about 1 cm


class _Counter:
    def __init__(self):
        self.positions = 0


def _position(value, counter: _Counter) -> list[float]:
    if not isinstance(value, (list, tuple)) or len(value) not in (2, 3):
        raise ValidationError(gettext("Un point du tracé n'a pas de coordonnées valides (longitude, latitude)."))
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        raise ValidationError(gettext("Un point du tracé n'a pas de coordonnées valides (longitude, latitude)."))
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError(gettext(
            "Un point du tracé est hors des limites : la longitude doit être entre -180 et 180, "
            "la latitude entre -90 et 90."
        ))
    counter.positions += 1
    if counter.positions > MAX_POSITIONS:
        raise ValidationError(gettext("Le tracé est trop détaillé : %(max)s points au maximum. Simplifiez-le.") % {"max": MAX_POSITIONS})
    return [round(lon, DECIMALS), round(lat, DECIMALS)]


def _positions(value, counter, *, minimum: int, message: str) -> list[list[float]]:
    if not isinstance(value, (list, tuple)):
        raise ValidationError(message)
    positions = [_position(item, counter) for item in value]
    if len(positions) < minimum:
        raise ValidationError(message)
    return positions


def _ring(value, counter) -> list[list[float]]:
    message = gettext("Un polygone doit avoir au moins trois sommets distincts.")
    ring = _positions(value, counter, minimum=3, message=message)
    if ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    if len({tuple(p) for p in ring}) < 3:
        raise ValidationError(message)
    return ring


def _polygon(value, counter) -> list:
    if not isinstance(value, (list, tuple)) or not value:
        raise ValidationError(gettext("Un polygone doit avoir au moins trois sommets distincts."))
    return [_ring(ring, counter) for ring in value]


def _parts(value, build) -> list:
    if not isinstance(value, (list, tuple)) or not value:
        raise ValidationError(gettext("Une géométrie multiple du tracé est vide."))
    return [build(part) for part in value]


def geometry_clean(geometry, counter: _Counter) -> dict:
    """The geometry with checked, rounded coordinates (rings closed); ValidationError (French) otherwise."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if not isinstance(kind, str) or kind not in GEOMETRY_LABELS:
        raise ValidationError(gettext("Seuls les points, lignes et polygones sont acceptés sur la carte."))
    kind, coordinates = geometry["type"], geometry.get("coordinates")
    line_message = gettext("Une ligne doit avoir au moins deux points.")
    if kind == "Point":
        cleaned = _position(coordinates, counter)
    elif kind == "MultiPoint":
        cleaned = _parts(coordinates, lambda part: _position(part, counter))
    elif kind == "LineString":
        cleaned = _positions(coordinates, counter, minimum=2, message=line_message)
    elif kind == "MultiLineString":
        cleaned = _parts(coordinates, lambda part: _positions(part, counter, minimum=2, message=line_message))
    elif kind == "Polygon":
        cleaned = _polygon(coordinates, counter)
    else:
        cleaned = _parts(coordinates, lambda part: _polygon(part, counter))
    return {"type": kind, "coordinates": cleaned}


def _ring_area(ring) -> float:
    """Area of a ring on the sphere (the formula of turf's area, after Chamberlain & Duquette)."""
    total = 0.0
    count = len(ring)
    if count < 3:
        return 0.0
    for index in range(count):
        lower, middle, upper = ring[index], ring[(index + 1) % count], ring[(index + 2) % count]
        total += (math.radians(upper[0]) - math.radians(lower[0])) * math.sin(math.radians(middle[1]))
    return abs(total * EARTH_RADIUS * EARTH_RADIUS / 2)


def _polygon_area(rings) -> float:
    if not rings:
        return 0.0
    return max(_ring_area(rings[0]) - sum(_ring_area(hole) for hole in rings[1:]), 0.0)


def _distance(a, b) -> float:
    lat1, lat2 = math.radians(a[1]), math.radians(b[1])
    dlat, dlon = lat2 - lat1, math.radians(b[0] - a[0])
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS * math.asin(min(1.0, math.sqrt(h)))


def _line_length(line) -> float:
    return sum(_distance(line[i], line[i + 1]) for i in range(len(line) - 1))


def area(geometry: dict) -> float:
    """m² of a (multi)polygon, 0 otherwise."""
    if geometry["type"] == "Polygon":
        return _polygon_area(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return sum(_polygon_area(polygon) for polygon in geometry["coordinates"])
    return 0.0


def length(geometry: dict) -> float:
    """m of a (multi)line, 0 otherwise."""
    if geometry["type"] == "LineString":
        return _line_length(geometry["coordinates"])
    if geometry["type"] == "MultiLineString":
        return sum(_line_length(line) for line in geometry["coordinates"])
    return 0.0


def _number(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text


def area_label(square_meters: float) -> str:
    if square_meters >= 10000:
        return f"{_number(square_meters / 10000, 2)} ha"
    return f"{_number(square_meters)} m²"


def length_label(meters: float) -> str:
    if meters >= 1000:
        return f"{_number(meters / 1000, 2)} km"
    return f"{_number(meters)} m"


def measure_label(geometry: dict) -> str:
    """« 1,25 ha », « 350 m », or the coordinates of a point."""
    kind = geometry["type"]
    if kind in ("Polygon", "MultiPolygon"):
        return area_label(area(geometry))
    if kind in ("LineString", "MultiLineString"):
        return length_label(length(geometry))
    if kind == "Point":
        lon, lat = geometry["coordinates"]
        return f"latitude {lat:.5f}, longitude {lon:.5f}".replace(".", ",")
    return f"{len(geometry['coordinates'])} points"


def bbox(geometries) -> tuple[float, float, float, float] | None:
    points = []

    def walk(node):
        if isinstance(node, list) and node and isinstance(node[0], (int, float)):
            points.append(node)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    for geometry in geometries:
        walk(geometry["coordinates"])
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _svg_points(positions, project) -> str:
    return " ".join("{:.1f},{:.1f}".format(*project(p)) for p in positions)


def apercu_svg(geometries, *, width: int = 320, height: int = 200, max_positions: int = 2000) -> str:
    """A small static map of the geometries (an SVG drawing, no background), or "" when there is
    nothing to draw or too much (the usager's map is then the better view)."""
    geometries = list(geometries)
    box = bbox(geometries)
    if box is None:
        return ""
    count = 0
    for geometry in geometries:
        stack = [geometry["coordinates"]]
        while stack:
            node = stack.pop()
            if node and isinstance(node[0], (int, float)):
                count += 1
            else:
                stack.extend(node)
    if count > max_positions:
        return ""
    west, south, east, north = box
    scale_x = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * scale_x, 1e-9), max(north - south, 1e-9)
    margin = 12
    ratio = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    offset_x = (width - span_x * ratio) / 2
    offset_y = (height - span_y * ratio) / 2

    def project(position):
        return offset_x + (position[0] - west) * scale_x * ratio, height - offset_y - (position[1] - south) * ratio

    shapes = []
    for geometry in geometries:
        kind, coordinates = geometry["type"], geometry["coordinates"]
        polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
        for polygon in polygons:
            path = " ".join("M" + _svg_points(ring, project).replace(" ", " L") + " Z" for ring in polygon)
            shapes.append(
                f'<path d="{path}" fill="#000091" fill-opacity="0.2" fill-rule="evenodd" '
                'stroke="#000091" stroke-width="2"/>'
            )
        lines = [coordinates] if kind == "LineString" else coordinates if kind == "MultiLineString" else []
        for line in lines:
            points_text = _svg_points(line, project)
            shapes.append(f'<polyline points="{points_text}" fill="none" stroke="#000091" stroke-width="3"/>')
        points = [coordinates] if kind == "Point" else coordinates if kind == "MultiPoint" else []
        for point in points:
            x, y = project(point)
            shapes.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#000091"/>')
    return "".join(shapes)
