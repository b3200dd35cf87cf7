// Drives every method of the official decor8ai npm SDK (2.0.1) against the emulator, changed in
// nothing but its base URL (notes 5: `new Decor8AI(baseUrl)`, the key from DECOR8AI_API_KEY).
//
//   node run.js BASE_URL PHOTO_PATH MASK_DATA_URL
//
// Prints one JSON object: {"results": {method: [answers...]}, "errors": {...}, "missing": [...]}.
// The pytest side (tests/test_decor8_sdk_js.py) checks the answers.
'use strict';

const fs = require('fs');
const Decor8AI = require('decor8ai');

async function main() {
  const [baseUrl, photoPath, maskUrl] = process.argv.slice(2);
  const photo = fs.readFileSync(photoPath);
  const photoUrl = 'data:image/jpeg;base64,' + photo.toString('base64');
  const client = new Decor8AI(baseUrl);
  const results = {};
  const record = async (name, call) => {
    (results[name] = results[name] || []).push(await call());
  };

  await record('generateDesignsForRoom', () => client.generateDesignsForRoom({
    inputImageUrl: photoUrl, roomType: 'livingroom', designStyle: 'modern', numImages: 2,
    scaleFactor: 2, colorScheme: 'COLOR_SCHEME_5', specialityDecor: 'SPECIALITY_DECOR_2',
    prompt: 'warm light', seed: 0, guidanceScale: 15, numInferenceSteps: 50,
    designStyleImageUrl: 'https://example.com/style.jpg', designStyleImageStrength: 0.82,
    designCreativity: 0.39, webhooksData: '{"note":"none"}', decorItems: '[{"item":"sofa"}]',
  }));
  const maskInfo = results.generateDesignsForRoom[0].info.mask_info;
  await record('generateDesignsForRoom', () => client.generateDesignsForRoom({
    inputImageUrl: photoUrl, roomType: 'LIVINGROOM', designStyle: 'MODERN', maskInfo,
  }));
  await record('generateInspirationalDesigns', () => client.generateInspirationalDesigns({
    roomType: 'bedroom', designStyle: 'japandi', numImages: 3, colorScheme: 'COLOR_SCHEME_1',
    specialityDecor: 'SPECIALITY_DECOR_7', prompt: 'calm', seed: 7, guidanceScale: 10,
    numInferenceSteps: 35,
  }));
  await record('generateDesigns', () => client.generateDesigns(photo, 'kitchen', 'farmhouse', {
    numImages: 2, numCaptions: 2, colorScheme: 'COLOR_SCHEME_3', seed: 1, guidanceScale: 12,
    numInferenceSteps: 30, prompt: 'bright', specialityDecor: 'SPECIALITY_DECOR_0',
  }));
  await record('generateDesigns', () => client.generateDesigns(photoPath, 'kitchen', 'modern'));
  const served = results.generateDesigns[0].info.images[0].url;  // http...: the SDK downloads it
  await record('generateDesigns', () => client.generateDesigns(served, 'kitchen', 'modern'));
  await record('primeWallsForRoom', () => client.primeWallsForRoom(photoUrl));
  await record('primeTheRoomWalls', () => client.primeTheRoomWalls(photo));
  await record('changeWallColor', () => client.changeWallColor(photoUrl, '#FF5733'));
  await record('changeKitchenCabinetsColor',
    () => client.changeKitchenCabinetsColor(photoUrl, '#FFFFFF'));
  await record('remodelKitchen',
    () => client.remodelKitchen(photoUrl, 'modern', { numImages: 2, scaleFactor: 2 }));
  await record('remodelBathroom', () => client.remodelBathroom(photoUrl, 'coastal'));
  await record('replaceSkyBehindHouse', () => client.replaceSkyBehindHouse(photoUrl, 'night'));
  await record('generateLandscapingDesigns', () => client.generateLandscapingDesigns(
    photoUrl, 'front yard', 'california style garden', { numImages: 2 }));
  await record('removeObjectsFromRoom', () => client.removeObjectsFromRoom(photoUrl));
  await record('removeObjectsFromRoom', () => client.removeObjectsFromRoom(photoUrl, maskUrl));
  await record('upscaleImage', () => client.upscaleImage(photo, 3));
  await record('upscaleImage', () => client.upscaleImage(photoPath));
  await record('sketchTo3dRender', () => client.sketchTo3dRender(
    photoUrl, 'contemporary', { numImages: 2, scaleFactor: 1, renderType: 'isometric' }));
  await record('generateImageCaptions',
    () => client.generateImageCaptions('livingroom', 'frenchcountry', 2));

  // axios throws on a non-2xx answer (notes 4): the error body rides on the exception
  const errors = {};
  try {
    await client.changeWallColor(photoUrl, 'red');
  } catch (error) {
    errors.changeWallColor = { status: error.response && error.response.status,
                               data: error.response && error.response.data };
  }

  const methods = Object.getOwnPropertyNames(Decor8AI.prototype).filter(
    (name) => name !== 'constructor' && !['createFormData', 'postJson', 'postMultipart'].includes(name));
  const missing = methods.filter((name) => !(name in results));
  process.stdout.write(JSON.stringify({ results, errors, missing, methods }));
}

main().catch((error) => {
  const detail = error.response ? { status: error.response.status, data: error.response.data } : {};
  process.stderr.write(`${error.stack || error}\n${JSON.stringify(detail)}\n`);
  process.exit(1);
});
