// The console's pages. A page is one module whose default export renders it:
//
//   export default async function render(root, { params, navigate }) { ...; return cleanup? }
//
// `root` is an empty <section>, `params` the hash path after the page id (#/train/trn_1 → ["trn_1"]),
// and the optional returned function runs when the user leaves (close streams there). A page appears in
// the navigation only when the server offers the operation named in `needs`, so a page can be listed here
// before its endpoints ship in every deployment.
export const PAGES = [
  { id: "datasets", title: "Datasets", needs: "datasets-create", load: () => import("./datasets.js") },
  { id: "train", title: "Train", needs: "trainings-create", load: () => import("./train.js") },
  { id: "models", title: "Models", needs: "models-list", load: () => import("./models.js") },
  { id: "generate", title: "Generate", needs: "generations-create", load: () => import("./generate.js") },
  { id: "characters", title: "Characters", needs: "characters-create", load: () => import("./characters.js") },
  { id: "videos", title: "Videos", needs: "videos-create", load: () => import("./videos.js") },
  { id: "meshes", title: "3D", needs: "meshes-create", load: () => import("./meshes.js") },
  { id: "usage", title: "Usage", needs: "policy-get", load: () => import("./usage.js") },
  { id: "webhooks", title: "Webhooks", needs: "webhook-endpoints-create", load: () => import("./webhooks.js") },
  { id: "events", title: "Events", needs: "events-stream", load: () => import("./events.js") },
];
