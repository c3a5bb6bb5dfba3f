#!/usr/bin/env python3
"""Writes a large synthetic instruction dataset in ScaleEdit-12M's layout, to measure the
instruction search (examples/search_bench.rs) and the dataset-wide index at a realistic
scale without the real 12.4 M rows.

    python3 tests/bench/make_instruction_dataset.py --out DIR [--rows 2000000] [--shards 80] [--seed 7]

What it writes:

- Shards in the Hub layout `DIR/{id}_{task}/{task}_{NNNN}.parquet` over the 23 task
  families of src/engine/dataset/catalog.rs, every family with at least one shard
  (so at least 23 shards, whatever --shards says), families of uneven size.
- ScaleEdit-12M's 12 columns (tests/fixtures/make_fixtures.py), written with pyarrow's
  defaults (snappy, dictionary encoding on). `id` is unique and scattered over 7-8 digits
  (a keyed permutation of the row number); scores are 1-3 like the real ones, mostly 3.
- `source_image` / `edited_image`: 16 tiny real images (8 scenes of 64 x 48, 48 x 64 or
  64 x 64 and an edited version of each, JPEG, or PNG when Pillow is missing) assigned by
  row, so the gallery can show every pair; with dictionary encoding each shard stores each
  image once, and the 2 M-row dataset takes about 66 MB.
- `edit_instruction`: per-family templates filled from word lists (objects, colours,
  materials, places, scenes, styles, actions, emotions ...) and a long tail of made-up
  proper nouns (towns, brands, people, shop and film names) and quoted sign texts, every
  choice drawn from a Zipf-like distribution, so word frequencies follow a power law and the
  vocabulary grows with the rows (tens of thousands of distinct words for 2 M rows).
  Compositional instructions chain 2-4 edits with "then" / "and". 6-40 words each.
- `DIR/manifest.json` in the gallery's manifest format (src/engine/dataset/manifest.rs).

Generation is streamed shard by shard (memory stays bounded by one shard) and is
deterministic for a seed (for a given Python, Pillow and pyarrow): 2 M rows take about
35 s on one core. Needs pyarrow; uses Pillow when installed.
"""

import argparse
import bisect
import io
import json
import os
import random
import re
import struct
import sys
import time
import zlib

import pyarrow as pa
import pyarrow.parquet as pq

# --- The catalog (src/engine/dataset/catalog.rs, FAMILIES), in order, with a relative size.
# The sizes only make the families uneven, as in a real dataset.
FAMILIES = [
    ("1.1", "style_transfer", "global", 6.0),
    ("1.2", "tone_adjustment", "global", 4.0),
    ("1.3", "viewpoint_transformation", "global", 2.5),
    ("1.4", "background_replacement", "global", 6.5),
    ("2.1", "object_addition", "object", 11.0),
    ("2.2", "object_removal", "object", 9.0),
    ("2.3", "object_replacement", "object", 8.0),
    ("2.4", "action_editing", "object", 3.5),
    ("2.5", "part_extraction", "object", 1.5),
    ("3.1", "color_change", "attribute", 7.0),
    ("3.2", "material_change", "attribute", 3.5),
    ("3.3", "visual_beautification", "attribute", 2.5),
    ("3.4", "count_change", "attribute", 2.0),
    ("3.5", "size_change", "attribute", 2.5),
    ("4.1", "movie_poster_text_editing", "text", 1.2),
    ("4.2", "gui_interface_text_editing", "text", 1.0),
    ("4.3", "object_surface_text_editing", "text", 1.8),
    ("4.4", "building_surface_text_editing", "text", 1.4),
    ("5.1", "perceptual_reasoning", "knowledge", 1.3),
    ("5.2", "symbolic_reasoning", "knowledge", 0.8),
    ("5.3", "social_reasoning", "knowledge", 0.9),
    ("5.4", "scientific_reasoning", "knowledge", 1.1),
    ("6.1", "compositional_editing", "compositional", 7.0),
]

SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("edit_task", pa.string()),
        ("edit_instruction", pa.string()),
        ("source_image", pa.binary()),
        ("edited_image", pa.binary()),
        ("source_image_width", pa.int64()),
        ("source_image_height", pa.int64()),
        ("edited_image_width", pa.int64()),
        ("edited_image_height", pa.int64()),
        ("instruction_following_score", pa.int64()),
        ("editing_consistency_score", pa.int64()),
        ("generation_quality_score", pa.int64()),
    ]
)


def words(text):
    """A comma-separated list (items may have spaces), most common first."""
    return [w.strip() for w in text.replace("\n", " ").split(",") if w.strip()]


# --- Vocabulary, most common first in each list (rank sets the Zipf weight).

OBJECTS = words("""
hat, cup, chair, car, tree, lamp, umbrella, bicycle, book, vase of flowers, clock, ball, bag, table, bench,
bottle, window, door, plant, pillow, laptop, phone, mug, backpack, guitar, flower pot, painting, mirror,
teddy bear, kite, balloon, candle, boat, sofa, bowl of fruit, sign, fence, streetlight, mailbox, basket,
scarf, pair of sunglasses, necklace, watch, tie, bow tie, crown, helmet, cap, jacket, dress, shoe, boot,
sneaker, glove, ring, bracelet, earring, camera, television, radio, keyboard, monitor, microphone,
headphones, speaker, piano, violin, drum, trumpet, saxophone, cello, harp, flute, accordion, banjo,
motorcycle, scooter, bus, truck, train, airplane, helicopter, tractor, van, taxi, sailboat, canoe, kayak,
yacht, rowboat, skateboard, surfboard, snowboard, pair of skis, tennis racket, baseball bat, football,
basketball, soccer ball, volleyball, golf club, frisbee, fishing rod, tent, campfire, lantern, flashlight,
compass, map, globe, telescope, microscope, magnifying glass, hourglass, candlestick, chandelier,
ceiling fan, rug, carpet, curtain, blanket, towel, bathtub, sink, faucet, toilet, shower curtain,
refrigerator, oven, microwave, toaster, kettle, teapot, coffee maker, blender, frying pan, saucepan,
cutting board, knife, fork, spoon, plate, wine glass, champagne flute, jar, pitcher, thermos, lunchbox,
cake, pizza, sandwich, burger, hot dog, donut, croissant, baguette, loaf of bread, cupcake, pie,
ice cream cone, popsicle, lollipop, chocolate bar, apple, banana, orange, lemon, strawberry, watermelon,
pineapple, cherry, grape bunch, pear, peach, avocado, tomato, carrot, broccoli, pumpkin, mushroom,
corn cob, pepper, onion, egg, cheese wheel, sushi roll, bowl of noodles, taco, salad bowl,
stop sign, traffic light, fire hydrant, parking meter, trash can, recycling bin, newspaper stand,
phone booth, bus stop, street sign, billboard, flag, banner, statue, fountain, well, windmill,
lighthouse, bridge, tower, chimney, gate, archway, staircase, ladder, wheelbarrow, shovel, rake,
watering can, garden hose, birdhouse, bird feeder, swing, hammock, sandbox, slide, seesaw, trampoline,
picnic table, deck chair, beach umbrella, sandcastle, bucket, spade, life buoy, anchor, rope, net,
treasure chest, barrel, crate, suitcase, briefcase, wallet, purse, key, padlock, lock, chain, hammer,
screwdriver, wrench, saw, drill, toolbox, paintbrush, easel, canvas, palette, pencil, pen, notebook,
envelope, letter, postcard, calendar, poster, photo frame, sculpture, trophy, medal, gift box, ribbon,
wreath, christmas tree, ornament, snowman, jack-o-lantern, scarecrow, robot, drone, rocket, satellite,
spaceship, astronaut helmet, dinosaur toy, toy car, toy train, doll, puppet, yo-yo, rubik's cube,
chess board, dice, deck of cards, puzzle, board game, video game controller, arcade machine, jukebox,
record player, vinyl record, cassette, typewriter, sewing machine, spinning wheel, loom, anvil,
cauldron, broom, mop, vacuum cleaner, iron, ironing board, laundry basket, hanger, coat rack,
umbrella stand, bookshelf, desk, stool, armchair, rocking chair, crib, bed, bunk bed, nightstand,
wardrobe, dresser, cabinet, drawer, shelf, coffee table, dining table, fireplace, radiator, air conditioner,
heater, space heater, fan, vase, bonsai tree, cactus, sunflower, rose, tulip, daisy, orchid, lily,
lotus, fern, palm tree, pine tree, oak tree, maple tree, willow, birch tree, cherry blossom tree, hedge,
bush, log, stump, boulder, rock, pebble, seashell, starfish, coral, feather, leaf, acorn, pinecone,
""")

ANIMALS = words("""
cat, dog, bird, horse, cow, duck, rabbit, squirrel, fox, deer, bear, owl, parrot, pigeon, seagull,
swan, goose, chicken, rooster, sheep, goat, pig, donkey, llama, alpaca, camel, elephant, giraffe,
zebra, lion, tiger, leopard, cheetah, panda, koala, kangaroo, monkey, gorilla, chimpanzee, sloth,
raccoon, hedgehog, mouse, hamster, guinea pig, ferret, otter, beaver, seal, walrus, penguin, dolphin,
whale, shark, octopus, jellyfish, crab, lobster, turtle, tortoise, frog, toad, lizard, iguana, snake,
crocodile, alligator, flamingo, peacock, toucan, eagle, hawk, falcon, crow, raven, robin, sparrow,
hummingbird, butterfly, dragonfly, ladybug, bee, ant, spider, snail, goldfish, koi fish, puppy, kitten,
pony, lamb, calf, foal, cub, bat, moose, bison, buffalo, hippo, rhino, wolf, husky, poodle, beagle,
corgi, dachshund, labrador, golden retriever, german shepherd, bulldog, chihuahua, dalmatian,
""")

PEOPLE = words("""
man, woman, girl, boy, child, person, old man, old woman, young woman, young man, baby, toddler,
couple, family, chef, waiter, doctor, nurse, police officer, firefighter, soldier, pilot, sailor,
farmer, gardener, painter, musician, guitarist, singer, dancer, athlete, runner, cyclist, skateboarder,
surfer, skier, climber, hiker, tourist, student, teacher, scientist, astronaut, businessman,
businesswoman, bride, groom, clown, magician, knight, pirate, cowboy, fisherman, photographer,
street vendor, barista, mechanic, carpenter, construction worker, lifeguard, referee, goalkeeper,
""")

CLOTHING = words("""
shirt, jacket, dress, hat, scarf, shoes, coat, sweater, hoodie, t-shirt, jeans, skirt, trousers, tie,
cap, boots, gloves, socks, vest, blazer, raincoat, apron, uniform, backpack, belt, shorts, cardigan,
""")

COLORS = words("""
red, blue, green, yellow, black, white, orange, purple, pink, brown, gray, gold, silver, navy blue,
light blue, dark green, bright red, pale yellow, teal, turquoise, beige, cream, maroon, burgundy,
crimson, scarlet, magenta, lavender, lilac, violet, indigo, cyan, aqua, mint green, olive, lime green,
emerald, jade, sage green, forest green, sky blue, royal blue, cobalt blue, cerulean, azure,
baby blue, powder blue, charcoal, slate gray, ivory, off-white, tan, khaki, camel, chocolate brown,
coffee brown, rust, copper, bronze, amber, mustard yellow, lemon yellow, canary yellow, peach,
coral, salmon, apricot, tangerine, terracotta, brick red, cherry red, ruby, rose, hot pink, fuchsia,
blush pink, plum, mauve, eggplant, sepia, pastel green, pastel blue, pastel pink, neon green,
neon pink, neon orange, electric blue, midnight blue, ochre, umber, sienna, chartreuse, periwinkle,
""")

ADJECTIVES = words("""
small, large, big, tiny, old, new, vintage, modern, wooden, shiny, colorful, bright, dark, cute, red,
tall, short, round, square, striped, polka-dot, fluffy, soft, antique, rustic, elegant, fancy, simple,
plain, ornate, golden, glowing, transparent, glass, metal, plastic, leather, woven, knitted, ceramic,
rusty, broken, worn, dusty, clean, wet, frozen, snowy, tropical, futuristic, retro, miniature, giant,
huge, oversized, slender, heavy, delicate, sparkling, glittering, matte, glossy, polished, painted,
handmade, folded, crumpled, torn, floating, flying, hanging, leaning, upside-down, tilted, stacked,
half-eaten, steaming, melting, blooming, wilted, lush, bare, empty, full, open, closed, lit, unlit,
smiling, sleeping, curious, friendly, angry, sad, happy, surprised, majestic, whimsical, spooky,
festive, cozy, luxurious, minimalist, industrial, bohemian, victorian, medieval, art-deco,
mid-century, scandinavian, japanese, moroccan, mexican, italian, french, nordic, celtic, gothic,
baroque, steampunk, cyberpunk, psychedelic, holographic, iridescent, metallic, pearlescent, neon,
weathered, mossy, overgrown, crystal, marble, velvet, silk, denim, tweed, patterned, embroidered,
quilted, chequered, plaid, paisley, floral, geometric, abstract, translucent, opaque, frosted,
""")

MATERIALS = words("""
wood, glass, gold, marble, metal, stone, silver, plastic, paper, leather, ice, clay, porcelain, brick,
concrete, steel, copper, bronze, brass, chrome, aluminum, iron, rusty iron, cast iron, polished steel,
brushed aluminum, oak, walnut, bamboo, cork, wicker, rattan, cardboard, origami paper, fabric, wool,
cotton, linen, silk, velvet, denim, felt, lace, knitted yarn, crochet, rubber, latex, foam, sponge,
granite, sandstone, slate, obsidian, jade, amber, crystal, diamond, pearl, mother-of-pearl, ivory,
ceramic tiles, terracotta, mosaic tiles, stained glass, frosted glass, chocolate, candy, gingerbread,
cheese, bread, sugar glass, wax, soap, lego bricks, pixels, neon tubes, liquid mercury, lava, water,
sand, snow, moss, grass, flowers, leaves, feathers, fur, scales, carbon fiber, titanium, holographic foil,
""")

SCENES = words("""
room, street, beach, kitchen, park, garden, living room, city, forest, field, office, bedroom, road,
mountain, lake, river, sky, desert, snowy landscape, market, cafe, restaurant, classroom, library,
museum, gallery, station, airport, harbor, pier, dock, bridge, alley, plaza, square, courtyard,
backyard, rooftop, balcony, porch, garage, workshop, studio, stage, theater, cinema, stadium, gym,
swimming pool, playground, schoolyard, campus, hospital, church, temple, castle, palace, village,
farm, barn, vineyard, orchard, meadow, valley, canyon, cliff, cave, waterfall, jungle, rainforest,
savanna, tundra, glacier, volcano, island, lagoon, coral reef, underwater scene, space station,
moon surface, night sky, sunset, sunrise, thunderstorm, fog, rainy street, snowstorm, autumn forest,
spring meadow, summer beach, winter village, shopping mall, supermarket, bakery, bookstore, flower shop,
train platform, subway car, bus interior, highway, parking lot, gas station, construction site,
factory, warehouse, laboratory, server room, greenhouse, attic, basement, hallway, staircase, bathroom,
""")

PLACES = words("""
on the table, next to the door, in the background, on the left, on the right, in the foreground,
in the sky, on the grass, on the shelf, near the window, in the corner, on the floor, on the wall,
on the bench, on the sofa, on the bed, on the desk, in the middle of the road, on the sidewalk,
by the tree, under the tree, on the windowsill, on the roof, in the water, on the sand, on the snow,
in the top left corner, in the top right corner, in the bottom left corner, in the bottom right corner,
at the center of the image, behind the person, in front of the house, beside the car, on the counter,
on the plate, in the vase, in the basket, in the person's hand, on the person's head, on the cat's back,
on the dog's head, next to the lamp, above the fireplace, below the painting, between the two chairs,
along the fence, at the edge of the lake, at the end of the pier, on top of the car, inside the box,
hanging from the ceiling, leaning against the wall, floating in the air, on the mountain peak,
""")

ACTIONS = words("""
sit down, stand up, wave, smile, jump, run, walk, dance, laugh, raise both arms, look to the left,
look to the right, look up at the sky, cross their arms, point at the camera, hold an umbrella,
read a book, drink from a cup, eat an apple, ride a bicycle, kneel, lie down, stretch, clap,
give a thumbs up, hug the dog, kick the ball, throw the ball, catch the frisbee, play the guitar,
sing into a microphone, take a photo, talk on the phone, type on a laptop, open the door,
close their eyes, turn around, bow, salute, shrug, yawn, sleep, swim, climb the ladder, fly a kite,
""")

ANIMAL_POSES = words("""
sitting, standing, running, jumping, sleeping, lying down, eating, drinking, playing, rolling over,
stretching, yawning, looking up, looking back, walking, flying, swimming, perching on a branch,
wagging its tail, spreading its wings, curled up, on its hind legs, grooming itself, chasing a ball,
""")

PARTS = words("""
handle, wheel, roof, door, window, lid, leg, arm, head, face, hand, tail, wing, ear, eye, beak, paw,
screen, keyboard, strap, buckle, button, collar, sleeve, pocket, label, logo, cap, spout, blade, seat,
pedal, headlight, mirror, antenna, chimney, steeple, petal, stem, leaf, branch, trunk, roots, crown,
""")

STYLES = words("""
watercolor painting, oil painting, pencil sketch, anime, cartoon, comic book, pixel art, charcoal drawing,
ukiyo-e woodblock print, pop art, impressionist painting, cubist painting, art nouveau poster,
art deco poster, low-poly 3D render, claymation, stained glass window, mosaic, ink wash painting,
chinese brush painting, studio ghibli film, disney animation, vaporwave, synthwave, cyberpunk,
steampunk illustration, gothic engraving, renaissance fresco, baroque painting, pointillism,
fauvism, expressionism, surrealism, minimalism, bauhaus design, vintage photograph, polaroid photo,
daguerreotype, blueprint, technical drawing, graffiti mural, chalk drawing on a sidewalk, crayon drawing,
children's book illustration, tarot card, medieval manuscript, byzantine icon, aboriginal dot painting,
paper cutout, origami, embroidery, cross-stitch, tapestry, linocut, etching, lithograph, screen print,
neon sign, film noir still, 1980s movie poster, retro video game, isometric illustration, vector art,
flat design, line art, silhouette, double exposure, infrared photograph, x-ray image, thermal image,
""")

ARTISTS = words("""
Van Gogh, Monet, Picasso, Hokusai, Klimt, Rembrandt, Vermeer, Da Vinci, Michelangelo, Raphael, Turner,
Cézanne, Renoir, Degas, Matisse, Kandinsky, Mondrian, Pollock, Rothko, Warhol, Lichtenstein, Haring,
Basquiat, Banksy, Dalí, Magritte, Escher, Hopper, Seurat, Munch, Schiele, Mucha, Frida Kahlo, O'Keeffe,
Caravaggio, Botticelli, Goya, Velázquez, Bosch, Bruegel, Dürer, Manet, Gauguin, Toulouse-Lautrec,
Chagall, Miró, Kusama, Hiroshige, Moebius, Miyazaki, Rockwell, Wyeth, Hockney, Bacon, Freud, Modigliani,
""")

TONES = words("""
warmer, cooler, brighter, darker, more saturated, less saturated, more contrasty, softer, moodier,
more vibrant, more muted, more cinematic, black and white, sepia-toned, high-key, low-key,
desaturated, faded, punchier, hazier, crisper, more dramatic, more natural, pastel-toned,
""")

LIGHTING = words("""
golden hour, sunset, sunrise, overcast, midday sun, blue hour, moonlight, candlelight, neon lights,
studio lighting, soft window light, harsh flash, foggy morning, stormy evening, dusk, twilight,
fluorescent office light, warm tungsten light, stage spotlight, firelight, dappled forest light,
""")

FILMS = words("""
Kodachrome, Portra, Velvia, Ektachrome, Tri-X, Fujicolor, Cinestill, Agfa, Ilford, Polaroid,
""")

VIEWPOINTS = words("""
from above, from below, from the side, from the back, from a low angle, from a high angle,
from a bird's-eye view, from a worm's-eye view, from the left, from the right, from behind,
from a three-quarter view, head-on, in profile, from across the street, from inside the car,
""")

SHOTS = words("""
close-up, wide shot, aerial view, top-down view, extreme close-up, medium shot, panoramic view,
macro shot, fisheye view, over-the-shoulder shot, isometric view, side view, front view, rear view,
""")

EMOTIONS = words("""
joy, surprise, sadness, anger, fear, disgust, pride, relief, embarrassment, excitement, boredom,
confusion, gratitude, nostalgia, curiosity, disappointment, amusement, awe, contentment, jealousy,
""")

OCCASIONS = words("""
birthday party, wedding, job interview, funeral, picnic, graduation, business meeting, beach holiday,
ski trip, hike, formal dinner, music festival, christmas morning, halloween night, new year's eve,
first day of school, retirement party, baby shower, football match, camping trip, tea ceremony,
""")

SCIENCE = words("""
after a week without water|the plant, after being left in the sun for an hour|the ice cube,
after ten years of rain|the iron gate, after a month|the banana, after the tide comes in|the beach,
in the middle of winter|the oak tree, a week later|the moon, after it has been cut in half|the apple,
after it has boiled for ten minutes|the egg, after the candle has burned for three hours|the candle,
after a heavy snowfall|the street, at the molecular scale|the water droplet, under a microscope|the leaf,
after a year of growth|the sapling, when it is about to hatch|the egg, after the volcano erupts|the island,
at low tide|the harbor, in autumn|the maple tree, after the storm|the beach, ten minutes later|the sunset,
""")

SIGN_WORDS = words("""
OPEN, CLOSED, SALE, EXIT, WELCOME, COFFEE, BAKERY, PIZZA, HOTEL, PHARMACY, STOP, PARKING, TAXI,
NO ENTRY, FOR RENT, SOLD OUT, FRESH BREAD, BOOKS, FLOWERS, GARAGE, POLICE, SCHOOL, LIBRARY, MUSEUM,
CINEMA, BAR, DINER, ICE CREAM, HAPPY BIRTHDAY, THANK YOU, CONGRATULATIONS, HELLO, GOODBYE, LOVE,
PEACE, DANGER, CAUTION, WET PAINT, KEEP OUT, PUSH, PULL, ENTRANCE, TICKETS, INFORMATION, RESTROOMS,
GROCERY, LAUNDRY, BARBER, TATTOO, GYM, YOGA, SUSHI, TACOS, NOODLES, BURGERS, DONUTS, TEA, JUICE,
""")

UI_WORDS = words("""
Submit, Cancel, Save, Delete, Edit, Settings, Profile, Log in, Sign up, Search, Next, Back, Continue,
Send, Share, Download, Upload, Home, Menu, Help, Cart, Checkout, Subscribe, Follow, Like, Reply,
Notifications, Messages, Friends, Library, History, Favorites, Account, Privacy, Logout, Confirm,
Apply, Reset, Refresh, Open, Close, Start, Stop, Play, Pause, Skip, Retry, Buy now, Add to cart,
""")

UI_ELEMENTS = words("""
button, tab, menu item, title bar, search bar, dialog title, banner, tooltip, status bar, sidebar link,
header, footer, checkbox label, dropdown, notification badge, toolbar button, breadcrumb, pop-up,
""")

SURFACES = words("""
mug, t-shirt, bottle label, cereal box, coffee cup, tote bag, license plate, book cover, laptop sticker,
cake, notebook, road sign, jersey, cap, shopping bag, milk carton, wine label, paper bag, chalkboard,
whiteboard, sticky note, name tag, luggage tag, train ticket, menu board, receipt, envelope, banner,
""")

BUILDINGS = words("""
shop, bakery, cafe, bookstore, hotel, bank, cinema, theater, pharmacy, restaurant, pub, barbershop,
flower shop, bike shop, grocery store, museum, library, school, station, warehouse, gallery, diner,
""")

SHOP_KINDS = words("""
Bakery, Cafe, Books, Coffee, Pizzeria, Bistro, Hardware, Flowers, Tailors, Bar, Diner, Deli, Market,
Pharmacy, Hotel, Records, Antiques, Garage, Barbers, Studio, Gallery, Kitchen, Brewery, Creamery,
""")

STREET_KINDS = words("Street, Avenue, Road, Lane, Boulevard, Square, Way, Drive, Place, Court, Alley, Row")

TITLE_NOUNS = words("""
Night, Shadow, Storm, River, Garden, Empire, Heart, Kingdom, Ocean, Fire, Light, Dream, Road, City,
Secret, Promise, Mirror, Winter, Summer, Horizon, Island, Star, Forest, Ghost, Machine, Crown, Legacy,
Echo, Silence, Voyage, Signal, Frontier, Harbor, Tide, Glass, Orchard, Lantern, Cipher, Orbit, Vow,
""")

TITLE_ADJS = words("""
Last, Silent, Lost, Hidden, Broken, Endless, Dark, Golden, Forgotten, Final, Secret, Wild, Burning,
Frozen, Crimson, Midnight, Distant, Eternal, Hollow, Quiet, Savage, Velvet, Iron, Paper, Electric,
""")

FIRST_NAMES = words("""
Anna, James, Maria, John, Emma, David, Sofia, Michael, Olivia, Daniel, Lucas, Mia, Noah, Chloe, Leo,
Lena, Omar, Aisha, Hiro, Yuki, Wei, Mei, Raj, Priya, Carlos, Lucia, Ivan, Olga, Kofi, Amara, Sven,
Ingrid, Liam, Ava, Ethan, Zoe, Mateo, Nora, Felix, Clara, Hugo, Elena, Tomas, Alma, Yusuf, Leila,
""")

MONTHS = words("January, February, March, April, May, June, July, August, September, October, November, December")

DIRECTIONS = words("left, right, top, bottom, upper left, upper right, lower left, lower right, behind, front")

SIZES = words("""
twice as large, half its size, slightly bigger, much smaller, three times bigger, a little smaller,
as tall as the door, small enough to fit in a hand, large enough to fill the frame, the same size as the car,
""")

NUMBER_WORDS = words("two, three, four, five, six, seven, eight, nine, ten, twelve")

KEEP = words("""
keeping everything else unchanged, while keeping the background the same, and keep the lighting consistent,
without changing the rest of the image, so that it blends naturally with the scene,
with realistic shadows and reflections, while preserving the person's identity,
and make it look natural, with matching perspective, keeping the original composition,
so it looks like part of the original photo, while keeping the colors of the rest of the scene,
""")

DETAILS = [
    "Make sure the {thing} casts a soft shadow.",
    "The {obj} should look {adj} and {adj2}.",
    "Match the lighting of the scene.",
    "It should be about the size of {a_obj}.",
    "Use {color} as the main color.",
    "Keep the {thing} in the same position.",
    "The edit should look like a real photograph.",
    "Do not change the {thing} or the {obj}.",
    "The result should feel {adj} and natural.",
    "Leave the text and the faces untouched.",
    "Preserve the texture of the {material}.",
]

PART_OF = {
    "car": "wheel, headlight, door, mirror, roof, bumper, steering wheel, license plate",
    "bicycle": "wheel, seat, pedal, handlebar, chain, bell, basket",
    "house": "roof, door, window, chimney, porch, balcony",
    "mug": "handle, rim, logo",
    "teapot": "spout, lid, handle",
    "guitar": "neck, strings, headstock, body",
    "bird": "beak, wing, tail, feathers, head",
    "cat": "ear, paw, tail, whiskers, eye",
    "dog": "ear, paw, tail, collar, nose",
    "person": "face, hand, hat, shoes, jacket, glasses",
    "flower": "petal, stem, leaf, center",
    "tree": "trunk, branch, leaves, roots, crown",
    "laptop": "screen, keyboard, trackpad, logo",
    "chair": "leg, seat, backrest, armrest",
    "clock": "hands, face, numbers, pendulum",
    "lamp": "shade, base, bulb, cord",
    "shoe": "sole, laces, heel, logo",
    "watch": "strap, dial, buckle, crown",
    "castle": "tower, gate, flag, wall",
    "butterfly": "wing, antenna, body",
}

# Syllables of made-up proper nouns (towns, brands, people, studios): the long tail.
ONSETS = words("b, br, c, d, dr, f, g, gr, h, j, k, l, m, n, p, r, s, sh, st, t, tr, v, w, z")
NUCLEI = words("a, e, i, o, u, a, e, o, ai, ea, ou, y")
CODAS = words("n, r, l, s, m, x, nd, rk, th, ck, ll, ng, st")
NAME_ENDINGS = words("ton, ville, wick, ford, ham, dale, mere, holm, burg, vale, by, ia, ora, ix, en, ar, ley, wood")

class Zipf:
    """Draws items with probability proportional to 1 / (rank + q) ** s."""

    def __init__(self, rng, items, s=1.0, q=1.5):
        self.rng = rng
        self.items = items
        total = 0.0
        self.cum = []
        for r in range(len(items)):
            total += 1.0 / (r + q) ** s
            self.cum.append(total)
        self.total = total

    def __call__(self):
        i = bisect.bisect_right(self.cum, self.rng.random() * self.total)
        return self.items[min(i, len(self.items) - 1)]


def make_names(rng, count):
    """`count` distinct made-up proper nouns (`Brelton`, `Kavora`, `Stimwick`): two or three
    open syllables, a closing consonant or a place ending, at most 11 letters."""
    out, seen = [], set()
    while len(out) < count:
        n = 2 if rng.random() < 0.75 else 3
        name = "".join(rng.choice(ONSETS) + rng.choice(NUCLEI) for _ in range(n))
        r = rng.random()
        if r < 0.3:
            name += rng.choice(NAME_ENDINGS)
        elif r < 0.8:
            name += rng.choice(CODAS)
        if not 4 <= len(name) <= 11 or name in seen:
            continue
        seen.add(name)
        out.append(name.capitalize())
    return out


def plural(noun):
    head, _, last = noun.rpartition(" ")
    if noun.startswith("pair of "):
        return "pairs of " + noun[len("pair of "):]
    if " of " in noun:  # "vase of flowers" -> "vases of flowers"
        a, b = noun.split(" of ", 1)
        return plural(a) + " of " + b
    if last.endswith(("s", "x", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    elif last in ("knife", "leaf", "wolf", "shelf", "scarf"):
        last = last[:-1].rstrip("f") + "ves"
    elif last in ("man", "woman"):
        last = last[:-2] + "en"
    elif last in ("child",):
        last = "children"
    elif last in ("person",):
        last = "people"
    elif last in ("mouse",):
        last = "mice"
    elif last in ("sheep", "deer", "fish", "bison", "moose", "dice"):
        pass
    else:
        last += "s"
    return f"{head} {last}" if head else last


def article(phrase):
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


class Gen:
    """All the samplers of one run, and the templates of each family."""

    def __init__(self, seed):
        rng = self.rng = random.Random(seed)
        z = lambda items, s=1.0, q=1.5: Zipf(rng, items, s, q)
        self.obj = z(OBJECTS, 1.05)
        self.animal = z(ANIMALS, 1.0)
        self.person = z(PEOPLE, 1.1)
        self.cloth = z(CLOTHING)
        self.color = z(COLORS, 1.0)
        self.adj = z(ADJECTIVES, 0.95)
        self.material = z(MATERIALS)
        self.scene = z(SCENES)
        self.place = z(PLACES, 0.9)
        self.action = z(ACTIONS)
        self.pose = z(ANIMAL_POSES)
        self.part = z(PARTS)
        self.style = z(STYLES, 0.9)
        self.artist = z(ARTISTS, 0.9)
        self.tone = z(TONES)
        self.light = z(LIGHTING)
        self.film = z(FILMS)
        self.view = z(VIEWPOINTS)
        self.shot = z(SHOTS)
        self.emotion = z(EMOTIONS)
        self.occasion = z(OCCASIONS)
        self.science = z(SCIENCE)
        self.sign = z(SIGN_WORDS)
        self.ui_word = z(UI_WORDS)
        self.ui_el = z(UI_ELEMENTS)
        self.surface = z(SURFACES)
        self.building = z(BUILDINGS)
        self.shop = z(SHOP_KINDS)
        self.street = z(STREET_KINDS)
        self.tnoun = z(TITLE_NOUNS)
        self.tadj = z(TITLE_ADJS)
        self.first = z(FIRST_NAMES)
        self.month = z(MONTHS, 0.3)
        self.direction = z(DIRECTIONS)
        self.size = z(SIZES)
        self.numword = z(NUMBER_WORDS)
        self.keep = z(KEEP, 0.8)
        self.detail = z(DETAILS, 0.6)
        self.part_owner = z(list(PART_OF), 0.8)
        # The long tail: 200,000 made-up names, one Zipf ranking per use (a town common as
        # a background is not the brand common on a mug).
        names = make_names(rng, 200_000)
        self.town = z(rng.sample(names, len(names)), 1.0, 2.0)
        self.brand = z(rng.sample(names, len(names)), 1.0, 2.0)
        self.surname = z(rng.sample(names, len(names)), 1.0, 2.0)
        self.landmark = z(rng.sample(names, 40_000), 1.0, 2.0)
        self.templates = {task: self._templates(task) for _, task, _, _ in FAMILIES}

    # --- small pieces

    def thing(self):
        r = self.rng.random()
        return self.animal() if r < 0.25 else self.person() if r < 0.35 else self.obj()

    def something(self):
        """A noun phrase, sometimes with an adjective or a colour."""
        r = self.rng.random()
        t = self.thing()
        if r < 0.35:
            return f"{self.adj()} {t}"
        if r < 0.55:
            return f"{self.color()} {t}"
        return t

    def owned_part(self):
        owner = self.part_owner()
        return owner, self.rng.choice(words(PART_OF[owner]))

    def full_name(self):
        first = self.first() if self.rng.random() < 0.6 else self.surname()
        return f"{first} {self.surname()}"

    def title(self):
        r = self.rng.random()
        if r < 0.35:
            return f"The {self.tadj()} {self.tnoun()}"
        if r < 0.55:
            return f"{self.tnoun()} of {self.town()}"
        if r < 0.7:
            return f"{self.town()}"
        if r < 0.85:
            return f"{self.tadj()} {self.tnoun()}s"
        return f"The {self.town()} {self.tnoun()}"

    def sign_text(self):
        r = self.rng.random()
        if r < 0.45:
            return self.sign()
        if r < 0.7:
            return f"{self.brand()} {self.shop()}"
        if r < 0.85:
            return f"{self.brand().upper()}"
        return f"{self.rng.randint(1, 99)}% OFF"

    def scene_desc(self):
        r = self.rng.random()
        if r < 0.4:
            return article(self.scene())
        if r < 0.6:
            return f"{article(self.adj())} {self.scene()}"
        if r < 0.75:
            return f"{article(self.scene())} at {self.light()}"
        if r < 0.9:
            return f"a {self.scene()} in {self.town()}"
        return f"the {self.landmark()} {self.rng.choice(['cathedral', 'bridge', 'tower', 'castle', 'lighthouse', 'palace', 'monument', 'waterfall'])}"

    def place_phrase(self):
        if self.rng.random() < 0.12:
            return f"next to the {self.obj()}"
        return self.place()

    # --- templates: each family a Zipf-weighted list of functions returning a sentence

    def _templates(self, task):
        g = self
        T = {
            "style_transfer": [
                lambda: f"Render the image in the style of {g.artist()}.",
                lambda: f"Turn the photo into {article(g.style())}.",
                lambda: f"Make it look like {article(g.style())}.",
                lambda: f"Convert the {g.scene()} into {article(g.style())} style.",
                lambda: f"Repaint the {g.thing()} in the style of {g.artist()}, with {g.color()} and {g.color()} tones.",
                lambda: f"Transform the image into {article(g.style())} inspired by {g.artist()}.",
                lambda: f"Give the picture the look of {article(g.style())} from {g.town()}.",
            ],
            "tone_adjustment": [
                lambda: f"Make the image {g.tone()}.",
                lambda: f"Adjust the lighting to look like {g.light()}.",
                lambda: f"Make the photo {g.tone()} and {g.tone()}.",
                lambda: f"Give the photo a {g.film()} film look.",
                lambda: f"Increase the contrast and make the {g.scene()} look like {g.light()}.",
                lambda: f"Shift the colors toward {g.color()} to suggest {g.light()}.",
                lambda: f"Reduce the exposure and make the shadows {g.color()}.",
            ],
            "viewpoint_transformation": [
                lambda: f"Show the {g.thing()} {g.view()}.",
                lambda: f"Rotate the camera {g.rng.choice([15, 30, 45, 60, 90, 180])} degrees to the {g.rng.choice(['left', 'right'])}.",
                lambda: f"Change the view to {article(g.shot())} of the {g.thing()}.",
                lambda: f"Zoom out to show the whole {g.scene()}.",
                lambda: f"Zoom in on the {g.thing()} {g.place()}.",
                lambda: f"Show the same {g.scene()} {g.view()}, as {article(g.shot())}.",
            ],
            "background_replacement": [
                lambda: f"Replace the background with {g.scene_desc()}.",
                lambda: f"Change the background to {g.scene_desc()}.",
                lambda: f"Put the {g.thing()} in front of {g.scene_desc()}.",
                lambda: f"Move the {g.person()} to {g.scene_desc()}.",
                lambda: f"Swap the {g.scene()} behind the {g.thing()} for {g.scene_desc()}.",
                lambda: f"Make the background a plain {g.color()} wall.",
                lambda: f"Place the {g.thing()} on a street in {g.town()} at {g.light()}.",
                lambda: f"Blur the background and replace it with {g.scene_desc()}.",
            ],
            "object_addition": [
                lambda: f"Add {article(g.adj())} {g.obj()} {g.place_phrase()}.",
                lambda: f"Add {article(g.something())} {g.place_phrase()}.",
                lambda: f"Place {article(g.color())} {g.obj()} {g.place_phrase()}.",
                lambda: f"Put {article(g.obj())} in the {g.person()}'s hand.",
                lambda: f"Add {article(g.animal())} {g.pose()} {g.place_phrase()}.",
                lambda: f"Insert {article(g.something())} next to the {g.thing()}.",
                lambda: f"Add reflections of the {g.thing()} in the {g.rng.choice(['water', 'window', 'mirror', 'puddle', 'lake', 'glass table'])}.",
                lambda: f"Add {g.numword()} {plural(g.obj())} {g.place_phrase()}.",
                lambda: f"Add a sign that says \"{g.sign_text()}\" {g.place()}.",
                lambda: f"Add {article(g.color())} {g.cloth()} to the {g.person()}.",
                lambda: f"Add {article(g.brand())} {g.rng.choice(['soda can', 'coffee cup', 'shopping bag', 'cereal box', 'sneaker', 'poster', 'umbrella', 'delivery van'])} {g.place_phrase()}.",
                lambda: f"Add {article(g.adj())} {g.color()} {g.obj()} {g.place_phrase()} so it looks like it was always there.",
            ],
            "object_removal": [
                lambda: f"Remove the {g.thing()} from the {g.scene()}.",
                lambda: f"Remove the {g.something()} {g.place()}.",
                lambda: f"Erase the {g.person()} {g.place()}.",
                lambda: f"Delete all the {plural(g.obj())} in the background.",
                lambda: f"Get rid of the {g.thing()} and fill the area with {g.material()}.",
                lambda: f"Take away the {g.cloth()} the {g.person()} is wearing.",
                lambda: f"Remove the {g.animal()} and the {g.obj()}.",
                lambda: f"Clear the {plural(g.obj())} off the {g.rng.choice(['table', 'desk', 'shelf', 'counter', 'floor', 'bench'])}.",
            ],
            "object_replacement": [
                lambda: f"Replace the {g.thing()} with {article(g.something())}.",
                lambda: f"Swap the {g.obj()} {g.place()} for {article(g.obj())}.",
                lambda: f"Turn the {g.animal()} into {article(g.animal())}.",
                lambda: f"Change the {g.obj()} into {article(g.adj())} {g.obj()}.",
                lambda: f"Replace the {g.person()} with {article(g.person())} wearing {article(g.color())} {g.cloth()}.",
                lambda: f"Exchange the {plural(g.obj())} for {plural(g.obj())}.",
            ],
            "action_editing": [
                lambda: f"Make the {g.person()} {g.action()}.",
                lambda: f"Change the {g.animal()}'s pose so it is {g.pose()}.",
                lambda: f"Have the {g.person()} {g.action()} instead of {g.rng.choice(['standing still', 'sitting', 'looking away', 'walking'])}.",
                lambda: f"Make the {g.animal()} {g.pose()} {g.place()}.",
                lambda: f"Let the {g.person()} raise their {g.rng.choice(['left', 'right'])} hand and {g.action()}.",
            ],
            "part_extraction": [
                lambda: "Extract the {1} of the {0} and place it on {2} background.".format(*g.owned_part(), article(g.color())),
                lambda: "Isolate the {0}'s {1} on a plain white background.".format(*g.owned_part()),
                lambda: "Crop out everything except the {1} of the {0}.".format(*g.owned_part()),
                lambda: f"Cut out the {g.thing()} and show only it on a transparent background.",
                lambda: "Keep only the {1} of the {adj} {0} and remove everything else.".format(*g.owned_part(), adj=g.adj()),
            ],
            "color_change": [
                lambda: f"Change the color of the {g.thing()} to {g.color()}.",
                lambda: f"Make the {g.person()}'s {g.cloth()} {g.color()}.",
                lambda: f"Turn the {g.obj()} {g.color()}.",
                lambda: f"Change the {g.obj()} to {g.color()} and the {g.obj()} to {g.color()}.",
                lambda: f"Recolor the {g.obj()} in {g.color()} with {g.color()} stripes.",
                lambda: f"Paint the {g.rng.choice(['walls', 'door', 'car', 'fence', 'house', 'boat', 'bench', 'sky'])} {g.color()}.",
                lambda: f"Make the {g.animal()}'s fur {g.color()}.",
            ],
            "material_change": [
                lambda: f"Make the {g.obj()} look like it is made of {g.material()}.",
                lambda: f"Change the material of the {g.obj()} to {g.material()}.",
                lambda: f"Turn the {g.thing()} into a {g.material()} sculpture.",
                lambda: f"Replace the {g.material()} of the {g.obj()} with {g.material()}.",
                lambda: f"Make the {g.obj()} {g.place()} out of {g.adj()} {g.material()}.",
            ],
            "visual_beautification": [
                lambda: f"Smooth the skin of the {g.person()} and brighten the eyes.",
                lambda: f"Enhance the details of the {g.scene()} and reduce the noise.",
                lambda: f"Retouch the {g.obj()} to remove scratches and dust.",
                lambda: f"Make the {g.rng.choice(['food', 'cake', 'pizza', 'salad', 'sushi', 'burger'])} look more appetizing with richer colors.",
                lambda: f"Sharpen the image and make the {g.scene()} look {g.rng.choice(['cleaner', 'more inviting', 'more polished', 'like a magazine photo'])}.",
                lambda: f"Remove the blemishes and make the {g.person()}'s {g.rng.choice(['hair', 'teeth', 'smile', 'skin'])} look healthier.",
            ],
            "count_change": [
                lambda: f"Increase the number of {plural(g.obj())} to {g.numword()}.",
                lambda: f"Remove {g.numword()} of the {plural(g.obj())} so only one remains.",
                lambda: f"Add {g.numword()} more {plural(g.animal())} {g.place()}.",
                lambda: f"Make there be exactly {g.numword()} {plural(g.obj())} {g.place()}.",
                lambda: f"Double the number of {plural(g.thing())} in the {g.scene()}.",
            ],
            "size_change": [
                lambda: f"Make the {g.thing()} {g.size()}.",
                lambda: f"Enlarge the {g.obj()} {g.place()} so it is {g.size()}.",
                lambda: f"Shrink the {g.thing()} to fit in the {g.person()}'s hand.",
                lambda: f"Make the {g.obj()} {g.size()} and the {g.obj()} {g.size()}.",
            ],
            "movie_poster_text_editing": [
                lambda: f"Change the title on the movie poster from \"{g.title()}\" to \"{g.title()}\".",
                lambda: f"Replace the actor names at the top with \"{g.full_name()}\" and \"{g.full_name()}\".",
                lambda: f"Change the release date to \"{g.month()} {g.rng.randint(1, 28)}\".",
                lambda: f"Add the tagline \"{g.tadj()} {g.tnoun()} awaits\" below the title.",
                lambda: f"Rename the film to \"{g.title()}\" and make the letters {g.color()}.",
                lambda: f"Replace \"{g.brand()} Pictures\" in the credits with \"{g.brand()} Studios\".",
            ],
            "gui_interface_text_editing": [
                lambda: f"Change the {g.ui_el()} label \"{g.ui_word()}\" to \"{g.ui_word()}\".",
                lambda: f"Rename the \"{g.ui_word()}\" tab to \"{g.ui_word()}\".",
                lambda: f"Update the notification count on the {g.ui_el()} to {g.rng.randint(2, 99)}.",
                lambda: f"Change the username in the top bar to \"{g.surname().lower()}{g.rng.randint(1, 999)}\".",
                lambda: f"Replace the app name \"{g.brand()}\" in the title bar with \"{g.brand()}\".",
                lambda: f"Translate the {g.ui_el()} text \"{g.ui_word()}\" into {g.rng.choice(['French', 'German', 'Spanish', 'Italian', 'Japanese', 'Portuguese'])}.",
            ],
            "object_surface_text_editing": [
                lambda: f"Change the text on the {g.surface()} to \"{g.sign_text()}\".",
                lambda: f"Write \"{g.sign_text()}\" on the {g.surface()} in {g.color()} letters.",
                lambda: f"Replace the word \"{g.sign()}\" on the {g.surface()} with \"{g.sign()}\".",
                lambda: f"Put the name \"{g.first()}\" on the {g.surface()}.",
                lambda: f"Change the brand on the {g.surface()} from \"{g.brand()}\" to \"{g.brand()}\".",
            ],
            "building_surface_text_editing": [
                lambda: f"Change the {g.building()} sign to read \"{g.brand()}'s {g.shop()}\".",
                lambda: f"Replace the street name on the sign with \"{g.town()} {g.street()}\".",
                lambda: f"Paint \"{g.sign()}\" in large letters on the wall of the {g.building()}.",
                lambda: f"Change the name above the {g.building()} entrance to \"{g.brand()} {g.shop()}\".",
                lambda: f"Make the neon sign on the {g.building()} say \"{g.sign()}\".",
                lambda: f"Change the house number by the door to {g.rng.randint(1, 250)}.",
            ],
            "perceptual_reasoning": [
                lambda: f"Show the {g.thing()} as it would look reflected in the {g.rng.choice(['water', 'mirror', 'window', 'puddle', 'spoon'])}.",
                lambda: f"Make the {g.obj()} appear as seen through frosted glass.",
                lambda: f"Show what the {g.scene()} looks like when the {g.rng.choice(['lamp', 'lights', 'candle', 'screen', 'sun'])} is turned off.",
                lambda: f"Change the shadows to match a light source from the {g.direction()}.",
                lambda: f"Make the {g.obj()} closest to the camera the tallest one.",
                lambda: f"Show the {g.thing()} as a person standing {g.rng.choice(['behind', 'under', 'above', 'beside'])} it would see it.",
            ],
            "symbolic_reasoning": [
                lambda: f"Solve the equation written on the {g.rng.choice(['whiteboard', 'chalkboard', 'paper', 'notebook'])} and write the answer.",
                lambda: f"Write the next number of the sequence {g.rng.randint(1, 9)}, {g.rng.randint(10, 19)}, {g.rng.randint(20, 39)} on the board.",
                lambda: f"Set the clock hands to show {g.rng.randint(1, 12)}:{g.rng.choice(['00', '15', '30', '45'])}.",
                lambda: f"Fill in the missing piece of the {g.rng.choice(['puzzle', 'chess position', 'crossword', 'sudoku', 'pattern'])}.",
                lambda: f"Replace the traffic sign with one that means {g.rng.choice(['no parking', 'speed limit 30', 'yield', 'one way', 'pedestrian crossing', 'no entry'])}.",
                lambda: f"Make the {g.obj()} count match the number on the {g.surface()}.",
            ],
            "social_reasoning": [
                lambda: f"Change the {g.person()}'s expression to show {g.emotion()}.",
                lambda: f"Make the crowd react with {g.emotion()} as if the {g.person()} just won.",
                lambda: f"Dress the {g.person()} appropriately for a {g.occasion()}.",
                lambda: f"Arrange the table for a {g.occasion()}.",
                lambda: f"Show how the {g.person()} would look after hearing surprising news from {g.full_name()}.",
            ],
            "scientific_reasoning": [
                lambda: "Show {1} {0}.".format(*g.science().split("|")),
                lambda: f"Show the {g.animal()} at an earlier stage of its life cycle.",
                lambda: f"Show the {g.obj()} after years of rust and weathering.",
                lambda: f"Show the {g.scene()} as it would look on the moon, with no atmosphere.",
                lambda: f"Show the {g.obj()} after it has been frozen in liquid nitrogen.",
                lambda: f"Show the {g.thing()} after being left in the {g.scene()} for {g.numword()} {g.rng.choice(['days', 'weeks', 'months', 'years'])}.",
            ],
        }
        if task in T:
            return Zipf(self.rng, T[task], 0.7, 1.0)
        # compositional_editing: chain edits of the other families
        simple = [t for k in ("object_addition", "object_removal", "object_replacement", "color_change", "tone_adjustment", "style_transfer", "background_replacement", "material_change", "size_change", "action_editing") for t in T[k]]
        return Zipf(self.rng, simple, 0.3, 1.0)

    def instruction(self, task):
        if task == "compositional_editing":
            steps = self.rng.choice([2, 2, 2, 3, 3, 4])
            parts = [self.templates[task]()().rstrip(".") for _ in range(steps)]
            parts = [parts[0]] + [p[0].lower() + p[1:] for p in parts[1:]]
            r = self.rng.random()
            if r < 0.4:
                text = ", then ".join(parts) + "."
            elif r < 0.7:
                text = ", ".join(parts[:-1]) + " and " + parts[-1] + "."
            elif steps >= 3:
                text = "First, " + parts[0][0].lower() + parts[0][1:] + "; then " + "; then ".join(parts[1:-1]) + "; finally, " + parts[-1] + "."
            else:
                text = parts[0] + ". Then " + parts[1] + "."
        else:
            text = self.templates[task]()()
        r = self.rng.random()
        if r < 0.06:
            text = self.rng.choice(["Please ", "In this image, ", "In the photo, ", "Carefully "]) + text[0].lower() + text[1:]
        n = len(text.split())
        # Some instructions say what to keep or add a detail; short ones always get a clause.
        if n < 6 or (n < 28 and self.rng.random() < 0.35):
            text = text.rstrip(".") + ", " + self.keep() + "."
        if len(text.split()) < 30 and self.rng.random() < 0.3:
            thing, obj = self.thing(), self.obj()
            text += " " + self.detail().format(
                thing=thing, obj=obj, a_obj=article(self.obj()), adj=self.adj(), adj2=self.adj(), color=self.color(), material=self.material()
            )
        while len(text.split()) > 40:
            text = " ".join(text.split()[:40]).rstrip(",;") + "."
        return text

    def scores(self):
        """Scores of the real data's range (1-3), most of them 3 (kept samples mostly)."""
        r = self.rng.random
        f = 3 if r() < 0.88 else 2 if r() < 0.8 else 1
        c = 3 if r() < 0.62 else 2 if r() < 0.85 else 1
        q = 3 if r() < 0.70 else 2 if r() < 0.85 else 1
        return f, c, q


# --- ids: a keyed permutation of the row number onto 1,000,000..99,999,999 (7-8 digits).

ID_BASE, ID_SPAN = 1_000_000, 99_000_000
HALF_BITS = 14  # 28-bit Feistel network, cycle-walked into ID_SPAN


def scattered_id(i, keys):
    mask = (1 << HALF_BITS) - 1
    x = i
    while True:
        left, right = x >> HALF_BITS, x & mask
        for k in keys:
            f = ((right * 0x9E3779B1) ^ k) & 0xFFFFFFFF
            f = ((f ^ (f >> 15)) * 0x2C1B3C6D) & 0xFFFFFFFF
            left, right = right, left ^ ((f ^ (f >> 12)) & mask)
        x = (left << HALF_BITS) | right
        if x < ID_SPAN:
            return ID_BASE + x


# --- images: 8 scenes and an edited version of each, tiny and real.


def png_bytes(w, h, pixels):
    """A minimal valid RGB PNG (used when Pillow is missing). pixels: function (x, y) -> (r, g, b)."""
    raw = b"".join(b"\x00" + bytes(c for x in range(w) for c in pixels(x, y)) for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def make_images(seed):
    """[(source bytes, (w, h), edited bytes, (w, h))] for 8 scenes."""
    rng = random.Random(seed * 7919 + 1)
    sizes = [(64, 48), (64, 48), (64, 48), (48, 64), (64, 64), (64, 48), (48, 64), (64, 48)]
    try:
        from PIL import Image, ImageDraw
    except ImportError:
        Image = None
    out = []
    for k, (w, h) in enumerate(sizes):
        bg = tuple(rng.randint(40, 220) for _ in range(3))
        fg = tuple(rng.randint(0, 255) for _ in range(3))
        extra = tuple(255 - c for c in fg)
        box = (rng.randint(4, w // 3), rng.randint(4, h // 3), rng.randint(w // 2, w - 4), rng.randint(h // 2, h - 4))
        dot = (rng.randint(2, w - 16), rng.randint(2, h - 16))
        if Image is not None:
            def draw(edited):
                im = Image.new("RGB", (w, h), bg)
                d = ImageDraw.Draw(im)
                for y in range(0, h, 6):  # a soft horizon so the scenes do not look flat
                    d.line([(0, y), (w, y)], fill=tuple(max(0, c - y) for c in bg))
                (d.ellipse if k % 2 else d.rectangle)(box, fill=fg)
                if edited:
                    d.ellipse((dot[0], dot[1], dot[0] + 12, dot[1] + 12), fill=extra)
                    im = Image.eval(im, lambda v: min(255, int(v * 1.15)))
                buf = io.BytesIO()
                im.save(buf, "JPEG", quality=85)
                return buf.getvalue()
        else:
            def draw(edited):
                def px(x, y):
                    inside = box[0] <= x <= box[2] and box[1] <= y <= box[3]
                    if edited and dot[0] <= x < dot[0] + 12 and dot[1] <= y < dot[1] + 12:
                        return extra
                    c = fg if inside else tuple(max(0, v - y) for v in bg)
                    return tuple(min(255, int(v * 1.15)) for v in c) if edited else c
                return png_bytes(w, h, px)
        out.append((draw(False), (w, h), draw(True), (w, h)))
    return out


# --- layout: shards per family, rows per family and shard


def apportion(total, weights, minimum=0):
    """Integers summing to `total`, proportional to `weights`, each ≥ minimum."""
    n = len(weights)
    base = [minimum] * n
    left = total - minimum * n
    s = sum(weights)
    exact = [left * w / s for w in weights]
    parts = [b + int(e) for b, e in zip(base, exact)]
    order = sorted(range(n), key=lambda i: (int(exact[i]) - exact[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def layout(rows, shards, seed):
    """[(family, [rows of each shard])]: every family ≥ 1 shard and ≥ 1 row per shard."""
    rng = random.Random(seed * 31 + 5)
    shard_counts = apportion(shards, [f[3] for f in FAMILIES], 1)
    # Rows follow the family sizes, jittered, so rows per shard differ between families.
    row_weights = [f[3] * rng.uniform(0.6, 1.4) for f in FAMILIES]
    row_counts = apportion(rows, row_weights, 0)
    out = []
    for fam, n_shards, n_rows in zip(FAMILIES, shard_counts, row_counts):
        n_rows = max(n_rows, n_shards)
        per = -(-n_rows // n_shards)  # full shards, the last one the remainder (as on the Hub)
        sizes = [per] * (n_shards - 1) + [n_rows - per * (n_shards - 1)]
        while sizes[-1] <= 0:  # e.g. 10 rows over 4 shards: even them out
            sizes = apportion(n_rows, [1] * n_shards, 1)
        out.append((fam, sizes))
    # Keep the total exact after the ≥ 1-row fix-ups (take any excess from the largest shard).
    excess = sum(sum(s) for _, s in out) - rows
    if excess > 0:
        fam, sizes = max(out, key=lambda x: max(x[1]))
        sizes[sizes.index(max(sizes))] -= excess
    return out


TOKEN = re.compile(r"\w+", re.UNICODE)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output folder (created; existing shards are overwritten)")
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--shards", type=int, default=80, help="number of shards (at least 23: one per family)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if args.rows < len(FAMILIES):
        sys.exit(f"--rows must be at least {len(FAMILIES)} (one row per family)")
    shards = max(args.shards, len(FAMILIES))
    if shards != args.shards:
        print(f"note: {args.shards} shards cannot cover the {len(FAMILIES)} families; writing {shards}", file=sys.stderr)
    if args.rows > ID_SPAN:
        sys.exit(f"--rows must be at most {ID_SPAN} (ids are 7-8 digits)")

    t0 = time.time()
    gen = Gen(args.seed)
    images = make_images(args.seed)
    id_keys = [random.Random(args.seed * 1_000_003 + r).getrandbits(32) for r in range(4)]
    plan = layout(args.rows, shards, args.seed)
    os.makedirs(args.out, exist_ok=True)

    vocab = set()
    total_bytes = 0
    row_no = 0
    written = 0
    lengths = [0, 10**9, 0]  # sum, min, max words
    families = []
    for (fid, task, group, _), sizes in plan:
        folder = f"{fid}_{task}"
        os.makedirs(os.path.join(args.out, folder), exist_ok=True)
        fam_shards = []
        for n, count in enumerate(sizes):
            rel = f"{folder}/{task}_{n:04d}.parquet"
            path = os.path.join(args.out, rel)
            cols = {name: [] for name in SCHEMA.names}
            for _ in range(count):
                text = gen.instruction(task)
                nw = len(text.split())
                lengths[0] += nw
                lengths[1] = min(lengths[1], nw)
                lengths[2] = max(lengths[2], nw)
                vocab.update(TOKEN.findall(text.lower()))
                src, (sw, sh), edt, (ew, eh) = images[gen.rng.randrange(len(images))]
                f, c, q = gen.scores()
                cols["id"].append(scattered_id(row_no, id_keys))
                cols["edit_task"].append(task)
                cols["edit_instruction"].append(text)
                cols["source_image"].append(src)
                cols["edited_image"].append(edt)
                cols["source_image_width"].append(sw)
                cols["source_image_height"].append(sh)
                cols["edited_image_width"].append(ew)
                cols["edited_image_height"].append(eh)
                cols["instruction_following_score"].append(f)
                cols["editing_consistency_score"].append(c)
                cols["generation_quality_score"].append(q)
                row_no += 1
            table = pa.Table.from_pydict(cols, schema=SCHEMA)
            pq.write_table(table, path, compression="snappy")
            del table, cols
            size = os.path.getsize(path)
            total_bytes += size
            written += 1
            fam_shards.append({"path": rel, "rows": count, "bytes": size})
            print(f"[{time.time() - t0:7.1f} s] {rel}: {count:,} rows, {size / 1e6:.1f} MB ({row_no:,}/{args.rows:,} rows)", file=sys.stderr, flush=True)
        label = task.replace("_", " ")
        families.append({"id": fid, "task": task, "folder": folder, "label": label[:1].upper() + label[1:], "group": group, "shards": fam_shards})

    manifest = {
        "version": 1,
        "name": f"Synthetic instructions ({row_no:,} rows)",
        "description": (
            f"A synthetic dataset shaped like ScaleEdit-12M for measuring instruction search at scale: "
            f"{row_no:,} editing pairs in {written} shards over the 23 task families, instructions made from "
            f"per-family templates with Zipf-distributed words and made-up names (seed {args.seed}). "
            f"Same folders, file names and columns as the full dataset."
        ),
        "attribution": "Generated by tests/bench/make_instruction_dataset.py: the instructions are synthetic and the images are flat shapes drawn by the script; no third-party content.",
        "families": families,
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    elapsed = time.time() - t0
    print(f"rows            {row_no:,}")
    print(f"shards          {written} over {len(families)} families")
    print(f"distinct words  {len(vocab):,} (lower-cased alphanumeric runs)")
    print(f"words/instr.    {lengths[0] / max(row_no, 1):.1f} mean, {lengths[1]}-{lengths[2]}")
    print(f"total bytes     {total_bytes:,} ({total_bytes / 1e6:.1f} MB)")
    print(f"time            {elapsed:.1f} s")
    print(f"manifest        {os.path.join(args.out, 'manifest.json')}")


if __name__ == "__main__":
    main()
